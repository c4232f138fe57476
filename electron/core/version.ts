import packageJson from '../../package.json' with { type: 'json' };

export const appName: string = packageJson.productName;
export const appVersion: string = packageJson.version;
