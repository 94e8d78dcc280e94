/**
 * The shape most e2e files share: per pinned n8n version, an emulator, a fresh n8n with the packed
 * package and the emulator's credential, one workflow imported and run with `n8n execute` before
 * the tests read its result. `useExecutedWorkflow` sets it up (and tears it down); the returned
 * object is filled in by the time the tests run.
 */
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator } from '../emulator/server';
import { N8nInstance, timed, type RunJson, type TARGETS } from './n8n';
import { emulatorCredential } from './workflows';

export interface ExecutedWorkflow {
	emulator: CozeEmulator;
	n8n: N8nInstance;
	/** The execution's run data. */
	run: RunJson;
	/** All that `n8n execute` printed (stdout and stderr). */
	printed: string;
}

export interface ExecutedWorkflowSetup {
	/** The packed tarball (usePackedPackage). */
	tarball: () => string;
	/** For the log line ("execute the audio workflow"). */
	what: string;
	workflow: () => Record<string, unknown>;
	/** Credentials beside the emulator's Coze credential. */
	extraCredentials?: (emulatorUrl: string) => Array<Record<string, unknown>>;
	/** Runs once the emulator is up, before n8n executes (to shape the emulator for the run). */
	prepare?: (emulator: CozeEmulator) => void | Promise<void>;
}

export function useExecutedWorkflow(target: (typeof TARGETS)[number], setup: ExecutedWorkflowSetup): ExecutedWorkflow {
	const executed = {} as ExecutedWorkflow;
	beforeAll(async () => {
		executed.emulator = await startEmulator();
		await setup.prepare?.(executed.emulator);
		executed.n8n = new N8nInstance(target);
		executed.n8n.installPackage(setup.tarball());
		await executed.n8n.importCredentials([emulatorCredential(executed.emulator.url, EMULATOR_TOKEN), ...(setup.extraCredentials?.(executed.emulator.url) ?? [])]);
		const workflow = setup.workflow();
		await executed.n8n.importWorkflows([workflow]);
		const result = await timed(`${target.name}: ${setup.what}`, () => executed.n8n.execute(String(workflow.id)));
		if (!result.run || result.code !== 0) {
			throw new Error(`execute failed (code ${result.code}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
		}
		executed.run = result.run;
		executed.printed = result.stdout + result.stderr;
	});
	afterAll(async () => {
		await executed.n8n?.dispose();
		await executed.emulator?.stop();
	});
	return executed;
}

/** The test every executed workflow gets: the token is in neither n8n's output nor the run data. */
export function itNeverPrintsTheToken(executed: ExecutedWorkflow): void {
	it('never prints the token', () => {
		expect(executed.printed).not.toContain(EMULATOR_TOKEN);
		expect(JSON.stringify(executed.run)).not.toContain(EMULATOR_TOKEN);
	});
}
