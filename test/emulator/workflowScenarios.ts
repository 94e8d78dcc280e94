/**
 * Coze workflow scenarios, chosen by workflow id. A scenario describes one run (what its nodes
 * emit and how it ends) once; the same plan renders as a `/v1/workflow/stream_run` stream (cloud
 * or Coze Studio dialect), a synchronous `/v1/workflow/run` answer and an async run history, so
 * the modes can never disagree. The shapes follow the recorded and documented ones:
 * docs `workflow_stream_run` (Message/End/Done, Interrupt), cozepy's
 * `tests/testdata/workflow_run_stream_resp.txt`, coze-go's `workflows_runs_test.go`, docs
 * `workflow_history` / `resume_workflow`, Coze Studio's `convertStreamRunEvent` / `sendStreamRunSSE`.
 */
import type { WireEvent } from './sse';

import { signedFileUrl } from './files';
import { cityOf } from './scenarios';

export type NodeKind = 'End' | 'Message' | 'Question' | 'Input' | 'Start';

export interface WorkflowNode {
	title: string;
	kind: NodeKind;
	/** node_id, sent by Coze Studio always and by the cloud for some nodes. */
	id?: string;
	/** node_execute_uuid (cloud, documented, optional). */
	uuid?: string;
}

export interface MessagePacket {
	node: WorkflowNode;
	content: string;
	/** node_seq_id; defaults to the node's running count. */
	seq?: number;
	finish: boolean;
	/** Pause before the packet (ms). */
	delayMs?: number;
	usage?: { input_count: number; output_count: number; token_count: number };
}

export type Step =
	| { kind: 'message'; packet: MessagePacket }
	| { kind: 'ping'; delayMs?: number }
	/** An event the client does not know (coze-go's `event:invalid`). */
	| { kind: 'unknown'; name: string };

export interface InterruptSpec {
	type: number;
	nodeTitle: string;
	/** interrupt_data.data (a string; JSON for input nodes). */
	data: string;
	requiredParameters?: Record<string, unknown>;
}

export type Ending =
	| { kind: 'done'; debugUrl: boolean }
	| { kind: 'interrupt'; interrupt: InterruptSpec }
	| { kind: 'error'; code: number; message: string };

export interface RunPlan {
	steps: Step[];
	ending: Ending;
	/** End node result as Coze keeps it (variable mode: a JSON string; text mode: the text). */
	endOutput?: { mode: 'variables' | 'text'; value: string };
	usage?: { input_count: number; output_count: number; token_count: number };
	/** How long the run takes on Coze's side (async Running, the synchronous 90 s cut). */
	durationMs?: number;
	/** The stream's socket dies after this many events (the run goes on server-side). */
	closeAfterEvents?: number;
	/** This event index is never sent (a lost packet); ids keep counting. */
	dropEvent?: number;
	/** Async history: output nodes are trimmed from `output` (over 1 MB). */
	trimmed?: boolean;
}

export interface RunContext {
	parameters: Record<string, unknown>;
	ext?: Record<string, string>;
	botId?: string;
	appId?: string;
	workflowVersion?: string;
	/** Names of uploaded files referenced as {"file_id": …} in parameters. */
	files: string[];
	/** The emulator's own URL (its /files/ host serves the links a run answers with). */
	baseUrl?: string;
}

/** A parameter as get-workflow-info describes it (docs.coze.cn get_workflow_info `OpenAPIParameter`). */
export interface SchemaParameter {
	type: string;
	required?: boolean;
	description?: string;
	default_value?: string;
	properties?: Record<string, SchemaParameter>;
	items?: SchemaParameter;
}

/** What `GET /v1/workflows/{id}?include_input_output=true` answers for a workflow (cloud). */
export interface ScenarioSchema {
	description: string;
	inputs: Record<string, SchemaParameter>;
	outputs: Record<string, SchemaParameter>;
	terminatePlan: 'return_variables' | 'use_answer_content';
	/** The answer template of a use_answer_content End node. */
	content?: string;
}

export interface WorkflowScenario {
	name: string;
	workflowId: string;
	title: string;
	/** The workflow's inputs and outputs; without one the emulator answers like an older workflow (no `input`). */
	schema?: ScenarioSchema;
	/** The plan of a fresh run. */
	run(ctx: RunContext): RunPlan;
	/** The plan after a resume, given the answer and how many resumes happened (1-based). */
	resume?(resumeData: string, resumeCount: number): RunPlan;
}

export const WORKFLOW_USAGE = { input_count: 50, output_count: 100, token_count: 150 };

const end: WorkflowNode = { title: '', kind: 'End' };
const endTitled: WorkflowNode = { title: 'End', kind: 'End', id: '900001' };

function msg(node: WorkflowNode, content: string, finish: boolean, extra: Partial<MessagePacket> = {}): Step {
	return { kind: 'message', packet: { node, content, finish, ...extra } };
}

/** A variable-mode End node answering `value` in one packet (with the legacy cost/token fields). */
function endResult(value: Record<string, unknown>, node: WorkflowNode = end): { steps: Step[]; endOutput: RunPlan['endOutput'] } {
	const text = JSON.stringify(value);
	return { steps: [msg(node, text, true, { usage: WORKFLOW_USAGE })], endOutput: { mode: 'variables', value: text } };
}

const JOKE = '为什么小明要带一把尺子去看电影？\n因为他听说电影很长，怕坐不下！';

const scenarioList: WorkflowScenario[] = [
	{
		// docs workflow_stream_run "Message 事件" tab, event for event.
		name: 'docsStream',
		workflowId: '7500000000000000001',
		title: 'Joke with a Message node',
		run: () => {
			const message: WorkflowNode = { title: 'Message', kind: 'Message' };
			const result = endResult({ output: JOKE });
			return {
				steps: [
					msg(message, 'msg', false),
					msg(message, '为', false),
					msg(message, '什么小明要带一把尺子去看电影？\n因', false),
					msg(message, '为他听说电影很长，怕', false),
					msg(message, '坐不下！', true),
					...result.steps,
				],
				ending: { kind: 'done', debugUrl: false },
				endOutput: result.endOutput,
				usage: WORKFLOW_USAGE,
			};
		},
	},
	{
		// One variable-mode End node that echoes its inputs: synchronous, async and AI-tool runs.
		name: 'echo',
		workflowId: '7500000000000000002',
		title: 'Greeting (End node only)',
		run: (ctx) => {
			const echo: Record<string, unknown> = { parameters: ctx.parameters };
			if (ctx.files.length > 0) echo.files = ctx.files;
			if (ctx.ext) echo.ext = ctx.ext;
			if (ctx.botId) echo.bot_id = ctx.botId;
			if (ctx.appId) echo.app_id = ctx.appId;
			if (ctx.workflowVersion) echo.workflow_version = ctx.workflowVersion;
			const name = typeof ctx.parameters.user_name === 'string' ? ctx.parameters.user_name : 'guest';
			const result = endResult({ output: `Hello, ${name}!`, echo }, endTitled);
			return { steps: result.steps, ending: { kind: 'done', debugUrl: true }, endOutput: result.endOutput, usage: WORKFLOW_USAGE };
		},
	},
	{
		// A text-mode End node with streaming on: text in several packets, cost/token on the last.
		name: 'textEnd',
		workflowId: '7500000000000000003',
		title: 'Weather report (streaming text End node)',
		schema: {
			description: 'Tells the weather of a city',
			inputs: { city: { type: 'string', required: false, description: 'The city to report on', default_value: 'Hangzhou' } },
			outputs: { sky: { type: 'string' }, city: { type: 'string' } },
			terminatePlan: 'use_answer_content',
			content: 'It is {{sky}} in {{city}}.',
		},
		// The weather of the `city` parameter (Hangzhou without one): the run uses its inputs.
		run: (ctx) => {
			const city = typeof ctx.parameters.city === 'string' && ctx.parameters.city.trim() !== '' ? ctx.parameters.city.trim() : 'Hangzhou';
			const sky = city.toLowerCase() === 'hangzhou' ? 'sunny' : cityOf(city).names.some((n) => city.toLowerCase().includes(n)) ? cityOf(city).weather.split(',')[0] : 'sunny';
			return {
				steps: [
					msg(endTitled, 'It is ', false),
					msg(endTitled, `${sky} in `, false),
					msg(endTitled, `${city}.`, true, { usage: WORKFLOW_USAGE }),
				],
				ending: { kind: 'done', debugUrl: true },
				endOutput: { mode: 'text', value: `It is ${sky} in ${city}.` },
				usage: WORKFLOW_USAGE,
			};
		},
	},
	{
		// Two Output nodes (node_id + node_execute_uuid) whose packets interleave, PING heartbeats.
		name: 'twoOutputs',
		workflowId: '7500000000000000004',
		title: 'Research with two Output nodes',
		run: () => {
			const a: WorkflowNode = { title: 'Outline', kind: 'Message', id: '100001', uuid: '7500000000000100001' };
			const b: WorkflowNode = { title: 'Draft', kind: 'Message', id: '100002', uuid: '7500000000000100002' };
			const result = endResult({ summary: 'Outline and draft are ready.', words: 7 }, endTitled);
			return {
				steps: [
					msg(a, '1. Intro ', false),
					{ kind: 'ping' },
					msg(b, 'Coze workflows ', false),
					msg(a, '2. Details', true),
					{ kind: 'ping' },
					msg(b, 'stream their ', false),
					msg(b, 'output.', true),
					...result.steps,
				],
				ending: { kind: 'done', debugUrl: true },
				endOutput: result.endOutput,
				usage: WORKFLOW_USAGE,
			};
		},
	},
	{
		// cozepy's tests/testdata/workflow_run_stream_resp.txt up to its Error event (docs tabs glued together).
		name: 'cozepyError',
		workflowId: '7500000000000000005',
		title: 'Fails with Error 4000',
		run: () => {
			const message: WorkflowNode = { title: 'Message', kind: 'Message' };
			return {
				steps: [msg(message, 'msg', false), msg(message, '为', false), msg(message, '什么', true)],
				ending: { kind: 'error', code: 4000, message: 'Request parameter error' },
			};
		},
	},
	{
		// docs "Interrupt 事件" tab: a question node asks, the stream ends with Interrupt (no Done).
		// Resumed with an answer it finishes; with an empty answer it asks again, and the third
		// resume without an answer fails the run (Coze allows 3).
		name: 'question',
		workflowId: '7500000000000000006',
		title: 'Weather with a question node',
		run: () => ({
			steps: [msg({ title: '问答', kind: 'Question' }, '请问你想查看哪个城市、哪一天的天气呢', true)],
			ending: { kind: 'interrupt', interrupt: { type: 2, nodeTitle: '问答', data: '' } },
		}),
		resume: (answer, count) => {
			if (answer.trim() !== '') {
				const result = endResult({ output: `${answer.trim()}: sunny, 24°C` });
				return { steps: result.steps, ending: { kind: 'done', debugUrl: true }, endOutput: result.endOutput, usage: WORKFLOW_USAGE };
			}
			if (count >= 3) {
				return { steps: [], ending: { kind: 'error', code: 720702015, message: 'The question node got no valid answer after 3 tries' } };
			}
			return {
				steps: [msg({ title: '问答', kind: 'Question' }, '还是没听清，请告诉我城市名', true)],
				ending: { kind: 'interrupt', interrupt: { type: 2, nodeTitle: '问答', data: '' } },
			};
		},
	},
	{
		// An input node (type 5): interrupt data and required_parameters like docs workflow_history.
		name: 'input',
		workflowId: '7500000000000000007',
		title: 'Sign-up with an input node',
		run: () => ({
			steps: [],
			ending: {
				kind: 'interrupt',
				interrupt: {
					type: 5,
					nodeTitle: 'Input',
					data: JSON.stringify({ content_type: 'text', content: JSON.stringify([{ type: 'string', name: 'name', required: true }]) }),
					requiredParameters: { name: { type: 'string', required: true } },
				},
			},
		}),
		resume: (answer) => {
			let name = answer;
			try {
				name = String((JSON.parse(answer) as { name?: string }).name ?? answer);
			} catch {
				// a plain-text answer
			}
			const result = endResult({ greeting: `Welcome, ${name}!` });
			return { steps: result.steps, ending: { kind: 'done', debugUrl: true }, endOutput: result.endOutput, usage: WORKFLOW_USAGE };
		},
	},
	{
		// coze-go workflows_runs_test.go: a "Start" node that never finishes, an "End" node that
		// starts at node_seq_id 1, PING, an unknown event, Done with debug_url.
		name: 'cozeGo',
		workflowId: '7500000000000000008',
		title: 'coze-go test stream',
		run: () => ({
			steps: [
				msg({ title: 'Start', kind: 'Start' }, 'Hello', false, { seq: 0 }),
				msg({ title: 'End', kind: 'End' }, 'World', true, { seq: 1 }),
				{ kind: 'ping' },
				{ kind: 'unknown', name: 'invalid' },
			],
			ending: { kind: 'done', debugUrl: true },
			endOutput: { mode: 'text', value: 'World' },
		}),
	},
	{
		// The docs stream with its third event lost on the way.
		name: 'lostPacket',
		workflowId: '7500000000000000009',
		title: 'Loses a packet',
		run: (ctx) => ({ ...scenarios.docsStream.run(ctx), dropEvent: 2 }),
	},
	{
		// The connection dies after three events; the run itself finishes on Coze's side.
		name: 'broken',
		workflowId: '7500000000000000010',
		title: 'Connection drops',
		run: (ctx) => ({ ...scenarios.twoOutputs.run(ctx), closeAfterEvents: 3 }),
	},
	{
		// A slow run with PING heartbeats: the synchronous cut, async Running → Success, timeouts.
		name: 'slow',
		workflowId: '7500000000000000011',
		title: 'Slow report',
		run: () => {
			const result = endResult({ output: 'Report ready' }, endTitled);
			return {
				steps: [{ kind: 'ping', delayMs: 300 }, { kind: 'ping', delayMs: 300 }, { kind: 'ping', delayMs: 300 }, ...result.steps],
				ending: { kind: 'done', debugUrl: true },
				endOutput: result.endOutput,
				usage: WORKFLOW_USAGE,
				durationMs: 900,
			};
		},
	},
	{
		// A run that fails after a while: stream Error, async Running → Fail.
		name: 'fails',
		workflowId: '7500000000000000012',
		title: 'Code node raises',
		run: () => ({
			steps: [{ kind: 'ping', delayMs: 100 }],
			// The number is illustrative: no public source shows a run-history Fail answer.
			ending: { kind: 'error', code: 720701013, message: "Node 'Code' failed: division by zero" },
			durationMs: 300,
		}),
	},
	{
		// An Output node whose content is too big for the history (is_output_trimmed), fetched per node.
		name: 'trimmed',
		workflowId: '7500000000000000013',
		title: 'Big report (trimmed history)',
		run: () => {
			const big: WorkflowNode = { title: 'Big Output', kind: 'Message', id: '100003', uuid: '7500000000000100003' };
			const text = 'x'.repeat(5000);
			const result = endResult({ ok: true, size: text.length }, endTitled);
			return {
				steps: [msg(big, text.slice(0, 2500), false), msg(big, text.slice(2500), true), ...result.steps],
				ending: { kind: 'done', debugUrl: true },
				endOutput: result.endOutput,
				usage: WORKFLOW_USAGE,
				trimmed: true,
				durationMs: 100,
			};
		},
	},
	{
		// Typed inputs described by get-workflow-info: the parameter form, the check before a run, the
		// AI Agent's $fromAI inputs. Like Coze, a run without a required input is refused (4000).
		name: 'tripPlanner',
		workflowId: '7500000000000000014',
		title: 'Trip planner (typed inputs)',
		schema: {
			description: 'Plans a trip: a day-by-day plan for a city, a number of days and the traveller\'s interests',
			inputs: {
				city: { type: 'string', required: true, description: 'The city to visit' },
				days: { type: 'integer', required: true, description: 'How many days the trip lasts' },
				budget: { type: 'number', required: false, description: 'Budget per day in CNY' },
				hotel: { type: 'boolean', required: false, description: 'Whether to book a hotel', default_value: 'false' },
				interests: { type: 'array', required: false, description: 'What the traveller likes', items: { type: 'string' } },
				traveller: {
					type: 'object',
					required: false,
					description: 'Who travels',
					properties: { name: { type: 'string', required: true }, age: { type: 'integer', required: false } },
				},
				photo: { type: 'image', required: false, description: 'A photo of the traveller' },
			},
			outputs: { plan: { type: 'string' }, received: { type: 'object' } },
			terminatePlan: 'return_variables',
		},
		run: (ctx) => {
			const p = ctx.parameters;
			const interests = Array.isArray(p.interests) && p.interests.length > 0 ? `, for ${p.interests.join(' and ')}` : '';
			const plan = `A ${String(p.days)}-day trip to ${String(p.city)}${interests}${p.hotel === true ? ', hotel booked' : ''}.`;
			const result = endResult({ plan, received: p }, endTitled);
			return { steps: result.steps, ending: { kind: 'done', debugUrl: true }, endOutput: result.endOutput, usage: WORKFLOW_USAGE };
		},
	},
	{
		// coze-studio #2281: a workflow embeds a chatflow and streams its answer from its own End
		// node, so the stream carries the answer twice — the chatflow's, then the End node's.
		name: 'nestedChatflow',
		workflowId: '7500000000000000015',
		title: 'Travel tips (an embedded chat flow, answered twice)',
		run: () => {
			const inner: WorkflowNode = { title: 'Travel chatflow', kind: 'Message', id: '200001' };
			const parts = ['Kyoto ', 'is best ', 'in autumn.'];
			return {
				steps: [
					...parts.map((part, i) => msg(inner, part, i === parts.length - 1)),
					...parts.map((part, i) => msg(endTitled, part, i === parts.length - 1, i === parts.length - 1 ? { usage: WORKFLOW_USAGE } : {})),
				],
				ending: { kind: 'done', debugUrl: true },
				endOutput: { mode: 'text', value: parts.join('') },
				usage: WORKFLOW_USAGE,
			};
		},
	},
	{
		// An image-generation workflow: its End node's `image` variable is a signed link to the picture
		// (like p26-bot-workflow-sign.byteimg.com/…png~tplv-…), `poster` a File output whose URL has no
		// extension, and an Output node shows the picture as Markdown.
		name: 'pictureWorkflow',
		workflowId: '7500000000000000016',
		title: 'Paint a picture',
		run: (ctx) => {
			const base = ctx.baseUrl ?? 'http://127.0.0.1';
			const picture = signedFileUrl(base, 'sunset.png~tplv-mdko3gqilj-image.png');
			const message: WorkflowNode = { title: 'Show', kind: 'Message' };
			const result = endResult({ image: picture, poster: signedFileUrl(base, 'report'), caption: 'A sunset over West Lake' }, endTitled);
			return {
				steps: [msg(message, `![sunset](${picture})`, true), ...result.steps],
				ending: { kind: 'done', debugUrl: true },
				endOutput: result.endOutput,
				usage: WORKFLOW_USAGE,
			};
		},
	},
];

/**
 * The workflows `npm start`'s emulator lists (EmulatorOptions.demo); the others are test fixtures
 * (errors, lost packets, dropped connections, trimmed histories) that still run by id.
 */
export const DEMO_WORKFLOWS: ReadonlySet<string> = new Set(['docsStream', 'echo', 'textEnd', 'twoOutputs', 'question', 'input', 'slow', 'tripPlanner', 'nestedChatflow', 'pictureWorkflow']);

export const scenarios: Record<string, WorkflowScenario> = Object.fromEntries(scenarioList.map((s) => [s.name, s]));
export const scenariosByWorkflowId: Record<string, WorkflowScenario> = Object.fromEntries(
	scenarioList.map((s) => [s.workflowId, s]),
);

export const DEFAULT_CONTEXT: RunContext = { parameters: {}, files: [] };

/** Whether `/v1/workflow/run` refuses the plan: Output nodes or a streaming End node. */
export function refusedBySyncRun(plan: RunPlan): boolean {
	const packets = plan.steps.filter((s): s is Extract<Step, { kind: 'message' }> => s.kind === 'message').map((s) => s.packet);
	return packets.some((p) => p.node.kind === 'Message') || packets.filter((p) => p.node.kind === 'End').length > 1;
}

export interface RenderOptions {
	dialect: 'cloud' | 'studio';
	/** Coze Studio before PR #2030 (2025-09-08): lowercase event names. */
	lowercaseEvents?: boolean;
	executeId: string;
	workflowId: string;
	debugUrl: string;
	/** For interrupts: the event id to hand out. */
	interruptEventId?: string;
}

/** The events of a plan as a stream (`stream_run` / `stream_resume`), ids from 0. */
export function renderStream(plan: RunPlan, options: RenderOptions): WireEvent[] {
	const studio = options.dialect === 'studio';
	const name = (event: string) => (options.lowercaseEvents ? event.toLowerCase() : event);
	const events: WireEvent[] = [];
	const seqByNode = new Map<string, number>();
	for (const step of plan.steps) {
		if (step.kind === 'ping') {
			// Coze Studio sends no heartbeats.
			if (!studio) events.push({ event: 'PING', data: {}, delayMs: step.delayMs });
			else if (step.delayMs) events.push({ event: '', data: '', delayMs: step.delayMs });
			continue;
		}
		if (step.kind === 'unknown') {
			events.push({ event: step.name, data: {} });
			continue;
		}
		const { packet } = step;
		const key = packet.node.id ?? packet.node.title;
		const seq = packet.seq ?? seqByNode.get(key) ?? 0;
		seqByNode.set(key, seq + 1);
		events.push({ event: name('Message'), data: messageData(packet, seq, studio), delayMs: packet.delayMs });
	}
	const ending = plan.ending;
	if (ending.kind === 'done') {
		const data: Record<string, unknown> = {};
		if (ending.debugUrl || studio) data.debug_url = options.debugUrl;
		events.push({ event: name('Done'), data });
	} else if (ending.kind === 'interrupt') {
		const interruptData: Record<string, unknown> = {
			data: ending.interrupt.data,
			event_id: options.interruptEventId,
			type: ending.interrupt.type,
		};
		if (!studio && ending.interrupt.requiredParameters) interruptData.required_parameters = ending.interrupt.requiredParameters;
		// Coze Studio's Interrupt has a debug_url and no node_title.
		const data: Record<string, unknown> = studio
			? { interrupt_data: interruptData, debug_url: options.debugUrl }
			: { interrupt_data: interruptData, node_title: ending.interrupt.nodeTitle };
		events.push({ event: name('Interrupt'), data });
	} else {
		const data: Record<string, unknown> = { error_code: ending.code, error_message: ending.message };
		if (studio) data.debug_url = options.debugUrl;
		events.push({ event: name('Error'), data });
	}
	// Number the events like Coze (heartbeat placeholders of Studio are pauses, not events).
	let id = 0;
	const numbered: WireEvent[] = [];
	let pendingDelay = 0;
	for (const event of events) {
		if (event.event === '') {
			pendingDelay += event.delayMs ?? 0;
			continue;
		}
		numbered.push({ ...event, id: id++, delayMs: (event.delayMs ?? 0) + pendingDelay || undefined });
		pendingDelay = 0;
	}
	return numbered;
}

function messageData(packet: MessagePacket, seq: number, studio: boolean): Record<string, unknown> {
	const { node } = packet;
	if (studio) {
		const displayKey = { End: 'End', Message: 'Message', Question: 'Question', Input: 'Input', Start: 'Start' }[node.kind];
		const data: Record<string, unknown> = {
			content: packet.content,
			content_type: 'text',
			node_seq_id: String(seq),
			node_id: node.id ?? `${node.kind.toLowerCase()}-node`,
			node_is_finish: packet.finish,
			node_type: displayKey,
			node_title: node.title || 'End',
		};
		if (packet.usage) data.token = packet.usage.token_count;
		return data;
	}
	const data: Record<string, unknown> = {
		content: packet.content,
		node_is_finish: packet.finish,
		node_seq_id: String(seq),
		node_title: node.title,
	};
	if (node.kind === 'Question') data.content_type = 'text';
	if (node.id) data.node_id = node.id;
	if (node.uuid) data.node_execute_uuid = node.uuid;
	if (node.kind === 'End' && packet.finish && packet.usage) {
		// The End node's last packet carries the legacy cost/token fields (docs, cozepy fixture).
		data.cost = '0.00';
		data.token = 0;
		data.usage = packet.usage;
	}
	return data;
}

/** Output nodes' full contents by title, as the run history's `output` keys them. */
export function outputNodeContents(plan: RunPlan): Array<{ node: WorkflowNode; content: string }> {
	const out = new Map<string, { node: WorkflowNode; content: string }>();
	for (const step of plan.steps) {
		if (step.kind !== 'message' || step.packet.node.kind !== 'Message') continue;
		const key = step.packet.node.title;
		const entry = out.get(key) ?? { node: step.packet.node, content: '' };
		entry.content += step.packet.content;
		out.set(key, entry);
	}
	return [...out.values()];
}

/** How Coze keeps an End result in histories and synchronous answers (text answers are wrapped). */
export function storedEndOutput(plan: RunPlan): string {
	if (!plan.endOutput) return '';
	if (plan.endOutput.mode === 'variables') return plan.endOutput.value;
	return JSON.stringify({ content_type: 1, data: plan.endOutput.value, original_result: null, type_for_model: 2 });
}
