/**
 * The example workflows (examples/*.json) as a newcomer sees them on n8n's canvas before running
 * anything (issue 30): no two nodes overlap at n8n's node sizes, every bot is picked from the list
 * with its name shown, the Coze chat nodes use the node's default User ID (one per chat session, else
 * one per workflow), a workflow with a schedule and a "Run once now" runs "Run once now" from the
 * editor's Execute button, and each note says what the example really does.
 */
import * as fs from 'fs';
import * as path from 'path';

import { USER_ID_DEFAULT } from '../../nodes/CozeChat/actions/descriptions';
import { scenariosByBotId } from '../emulator/scenarios';

interface Node {
	name: string;
	type: string;
	position: [number, number];
	disabled?: boolean;
	parameters: Record<string, unknown>;
}
interface Workflow {
	name: string;
	nodes: Node[];
	connections: Record<string, Record<string, Array<Array<{ node: string; type: string }>>>>;
}

const DIR = path.join(__dirname, '..', '..', 'examples');
const EXAMPLES = fs
	.readdirSync(DIR)
	.filter((f) => f.endsWith('.json'))
	.map((file) => [file, JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Workflow] as const);

// n8n's canvas (editor-ui nodeViewUtils, GRID_SIZE 16): a node is 96×96, a sub-node (model, tool) an
// 80×80 circle, a node with sub-node inputs (AI Agent, Send Message with its Tools input) 256×96;
// a sticky note is as large as its width and height (240×160 by default). A node's name is written
// under it: keep a line of text free below each node.
const LABEL = 32;
const STICKY = 'n8n-nodes-base.stickyNote';

/** Whether n8n draws the node with sub-node inputs (Coze Send Message has a Tools input). */
function configurable(node: Node): boolean {
	if (node.type === '@n8n/n8n-nodes-langchain.agent') return true;
	return node.type === 'n8n-nodes-coze.cozeChat' && node.parameters.resource === 'chat' && node.parameters.operation === 'sendMessage';
}

/** Whether the node is a sub-node: one whose outputs go to another node's ai_* input. */
function subNode(workflow: Workflow, node: Node): boolean {
	return Object.keys(workflow.connections[node.name] ?? {}).some((type) => type.startsWith('ai_'));
}

function box(workflow: Workflow, node: Node): { x: number; y: number; w: number; h: number } {
	const [x, y] = node.position;
	if (node.type === STICKY) return { x, y, w: Number(node.parameters.width ?? 240), h: Number(node.parameters.height ?? 160) };
	if (subNode(workflow, node)) return { x, y, w: 80, h: 80 + LABEL };
	return { x, y, w: configurable(node) ? 256 : 96, h: 96 + LABEL };
}

const overlap = (a: ReturnType<typeof box>, b: ReturnType<typeof box>) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

describe.each(EXAMPLES)('examples/%s', (_file, workflow) => {
	it('no two nodes (or a node and the note) overlap on the canvas', () => {
		const clashes: string[] = [];
		workflow.nodes.forEach((a, i) =>
			workflow.nodes.slice(i + 1).forEach((b) => {
				if (overlap(box(workflow, a), box(workflow, b))) clashes.push(`${a.name} × ${b.name}`);
			}),
		);
		expect(clashes).toEqual([]);
	});

	it('every bot is picked from the list and shows its name; chat nodes use the default User ID', () => {
		const coze = workflow.nodes.filter((n) => n.type.startsWith('n8n-nodes-coze.'));
		for (const node of coze.filter((n) => n.parameters.botId !== undefined)) {
			const bot = node.parameters.botId as { __rl: boolean; mode: string; value: string; cachedResultName?: string };
			expect({ node: node.name, mode: bot.mode }).toEqual({ node: node.name, mode: 'list' });
			expect(bot.cachedResultName).toMatch(new RegExp(`^${scenariosByBotId[bot.value]?.botName} \\((Personal|Team Space)\\)$`));
		}
		for (const node of coze.filter((n) => n.parameters.operation === 'sendMessage')) expect({ node: node.name, userId: node.parameters.userId }).toEqual({ node: node.name, userId: USER_ID_DEFAULT });
	});

	it('with a schedule and "Run once now", the editor\'s Execute button runs "Run once now" (the schedule is off until you turn it on)', () => {
		const manual = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger');
		const schedules = workflow.nodes.filter((n) => n.type === 'n8n-nodes-base.scheduleTrigger');
		if (!manual || schedules.length === 0) return;
		// n8n's editor runs from the enabled trigger it ranks first, and ranks a Schedule Trigger above
		// a Manual Trigger (editor-ui's trigger priority); a disabled trigger is never picked.
		expect(schedules.every((s) => s.disabled === true)).toBe(true);
		const note = String(workflow.nodes.find((n) => n.type === STICKY)?.parameters.content);
		expect(note).toContain(`**${manual.name}**`);
		for (const schedule of schedules) expect(note).toContain(`**${schedule.name}**`);
		expect(note).toMatch(/turn on \*\*|it is off as shipped/i);
	});
});

describe('example notes say what the examples really do', () => {
	const note = (file: string) => String(EXAMPLES.find(([f]) => f === file)?.[1].nodes.find((n) => n.type === STICKY)?.parameters.content);

	it('the prompt-ops example talks to the draft, changes only its prompt, and publishes only on the passing branch', () => {
		const [, workflow] = EXAMPLES.find(([f]) => f === 'test-the-draft-then-publish.json')!;
		const node = (name: string) => workflow.nodes.find((n) => n.name === name)!;
		expect(node('Update the draft').parameters).toMatchObject({ resource: 'bot', operation: 'update', updateFields: { prompt: '={{ $json.prompt }}' } });
		expect(Object.keys(node('Update the draft').parameters.updateFields as object)).toEqual(['prompt']);
		expect(node('Ask the draft').parameters).toMatchObject({ operation: 'sendMessage', options: { publishStatus: 'unpublished_draft' } });
		expect(node('Publish').parameters).toMatchObject({ resource: 'bot', operation: 'publish' });
		const branches = workflow.connections['Every check passed?'].main.map((outputs) => outputs.map((c) => c.node));
		expect(branches).toEqual([['Publish'], ['What failed']]);
		expect(note('test-the-draft-then-publish.json')).toMatch(/only if every check passes/);
	});

	it('the AI Agent examples say that the emulator\'s model is scripted', () => {
		expect(note('ai-agent-tool.json')).toMatch(/scripted/);
		expect(note('ai-agent-coze-plugins.json')).toMatch(/scripted/);
	});

	it('the voice example\'s chat reply shows the file name and size its note promises', () => {
		const [, workflow] = EXAMPLES.find(([f]) => f === 'answer-with-voice.json')!;
		const reply = String(workflow.nodes.find((n) => n.name === 'Reply')?.parameters.jsonOutput);
		// The chat shows the reply's `output` only: the file's name and size must be in it.
		const output = /output: (.*?), audio_file:/.exec(reply)?.[1] ?? '';
		expect(output).toContain('$binary.data.fileName');
		expect(output).toContain('$json.bytes');
		expect(note('answer-with-voice.json')).toMatch(/file name and size/);
	});
});
