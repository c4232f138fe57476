/**
 * `carddesk operator list|add|roles|suspend|resume|remove`: the desk's operator accounts (issue 17
 * §1), the same OperatorDirectory as Settings → Operators. An operator is named by its id or by
 * its holder (id, personal number or user number). A refusal (the last CA administrator, a
 * removed account, …) is printed with its reason and the command fails.
 */
import type { Command } from 'commander';
import { operatorRoles } from '../shared/enums';
import type { OperatorRole } from '../shared/permissions';
import type { OperatorChangeResult } from '../shared/schemas/operator-accounts';
import type { OperatorRecord } from '../shared/schemas/operators';
import type { VaultServices } from '../core/vault/vault-services';
import type { CliContext } from './cli-context';
import { printJson, withVault } from './vault-session';

/** The roles given, at least one (commander counts the empty default as given). */
function rolesGiven(roles: OperatorRole[]): OperatorRole[] {
  if (roles.length === 0) throw new Error(`--role is needed: ${operatorRoles.join(', ')}`);
  return roles;
}

/** `--role a --role b` (or `--role a,b`), each one of the roles. */
function collectRole(value: string, previous: OperatorRole[]): OperatorRole[] {
  const roles = value.split(',').map((role) => role.trim()).filter((role) => role !== '');
  for (const role of roles) if (!(operatorRoles as readonly string[]).includes(role)) throw new Error(`--role takes ${operatorRoles.join(', ')}, not ${role}`);
  return [...new Set([...previous, ...(roles as OperatorRole[])])];
}

function line(operator: OperatorRecord): string {
  const cards = operator.cards.length === 0 ? 'no operator card' : operator.cards.map((card) => `card ${card.cardSerial} (certificate ${card.certificateSerial})`).join(', ');
  return `${operator.id}  ${operator.name.padEnd(28)}  ${operator.state.padEnd(9)}  ${operator.roles.join(',')}  ${cards}\n`;
}

/** The operator an argument names: its id, or the account of the holder it names. */
function findOperator(services: VaultServices, reference: string): string {
  if (services.operators.byId(reference) !== null) return reference;
  let holderId: string;
  try {
    holderId = services.directory.find(reference).id;
  } catch {
    // Neither an operator id nor a holder: the directory refuses it as unknown, with its reason.
    return reference;
  }
  return services.operators.list().find((operator) => operator.holderId === holderId)?.id ?? reference;
}

function report(cli: CliContext, result: OperatorChangeResult, json: boolean | undefined, done: string): void {
  if (!result.ok) throw new Error(`${result.message} (${result.reason})`);
  if (json === true) printJson(cli, result.operator);
  else cli.out(`${done}: ${line(result.operator)}`);
}

const roleHelp = `a role (repeat for more): ${operatorRoles.join(', ')}`;

export function registerOperatorCommand(program: Command, cli: CliContext): void {
  const operator = program.command('operator').description('operator accounts: who works at the desk, with which roles and operator cards');

  operator
    .command('list')
    .option('--json', 'print machine-readable JSON')
    .description('list the operator accounts (removed ones too) with their roles, state and operator cards')
    .action((o: { json?: boolean }) =>
      withVault(cli, (services) => {
        const list = services.operators.list();
        if (o.json === true) printJson(cli, list);
        else cli.out(list.length === 0 ? 'No operators yet.\n' : list.map(line).join(''));
        return Promise.resolve();
      }),
    );

  operator
    .command('add')
    .requiredOption('--holder <holder>', 'id, personal number or user number of an active holder')
    .requiredOption('--role <role>', roleHelp, collectRole, [])
    .option('--json', 'print the account as JSON')
    .description('make an operator account for a holder (the first one must be a caAdministrator)')
    .action((o: { holder: string; role: OperatorRole[]; json?: boolean }) =>
      withVault(cli, async (services) => {
        let holderId = o.holder;
        try {
          holderId = services.directory.find(o.holder).id;
        } catch {
          // Unknown: the directory records and answers the refusal (holderNotFound).
        }
        report(cli, await services.operators.add(holderId, rolesGiven(o.role), cli.operation), o.json, 'Added');
      }),
    );

  operator
    .command('roles')
    .argument('<operator>', 'operator id, or the holder’s id, personal number or user number')
    .requiredOption('--role <role>', `${roleHelp}; replaces the roles the operator has`, collectRole, [])
    .option('--json', 'print the account as JSON')
    .description('set an operator’s roles')
    .action((reference: string, o: { role: OperatorRole[]; json?: boolean }) =>
      withVault(cli, async (services) => report(cli, await services.operators.setRoles(findOperator(services, reference), rolesGiven(o.role), cli.operation), o.json, 'Roles set')),
    );

  const changes = [
    ['suspend', 'suspend an operator: they cannot sign in until resumed', 'Suspended'],
    ['resume', 'let a suspended operator sign in again', 'Resumed'],
    ['remove', 'remove an operator (the account stays for the audit log; nothing of theirs is accepted any more)', 'Removed'],
  ] as const;
  for (const [verb, description, done] of changes) {
    operator
      .command(verb)
      .argument('<operator>', 'operator id, or the holder’s id, personal number or user number')
      .option('--json', 'print the account as JSON')
      .description(description)
      .action((reference: string, o: { json?: boolean }) =>
        withVault(cli, async (services) => report(cli, await services.operators[verb](findOperator(services, reference), cli.operation), o.json, done)),
      );
  }
}
