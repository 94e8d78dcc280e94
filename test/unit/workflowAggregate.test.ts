import { CozeApiError } from '../../nodes/CozeChat/core/errors';
import { readSseEvents } from '../../nodes/CozeChat/core/sse';
import { WorkflowAggregator } from '../../nodes/CozeChat/core/workflowAggregator';
import { decodeOutput, normalizeHistory, type WorkflowRunResult } from '../../nodes/CozeChat/core/workflowDecode';
import { FRAMINGS, REAL_FRAMING, renderChunks, type Framing } from '../emulator/sse';
import { DEFAULT_CONTEXT, renderStream, scenarios, WORKFLOW_USAGE, type RunPlan } from '../emulator/workflowScenarios';

async function* fromChunks(chunks: Buffer[]): AsyncGenerator<Uint8Array> {
	for (const chunk of chunks) yield new Uint8Array(chunk);
}

const EXECUTE_ID = '7559860095103800001';
const DEBUG_URL = `https://www.coze.cn/work_flow?execute_id=${EXECUTE_ID}&space_id=7498204883280400001&workflow_id=7500000000000000001`;
const EVENT_ID = `${EXECUTE_ID}/7404830425073352001`;

interface Run {
	aggregator: WorkflowAggregator;
	live: string[];
}

/** Bytes → readSseEvents → aggregator: the path of a real stream minus the socket. */
async function aggregate(chunks: Buffer[]): Promise<Run> {
	const aggregator = new WorkflowAggregator();
	const live: string[] = [];
	for await (const event of readSseEvents(fromChunks(chunks))) {
		const text = aggregator.push(event);
		if (text !== undefined) live.push(text);
	}
	return { aggregator, live };
}

function render(plan: RunPlan, framing: Framing, dialect: 'cloud' | 'studio' = 'cloud', lowercaseEvents = false): Buffer[] {
	const events = renderStream(plan, { dialect, lowercaseEvents, executeId: EXECUTE_ID, workflowId: '1', debugUrl: DEBUG_URL, interruptEventId: EVENT_ID });
	const kept = plan.dropEvent === undefined ? events : events.filter((_, i) => i !== plan.dropEvent);
	const cut = plan.closeAfterEvents === undefined ? kept : kept.slice(0, plan.closeAfterEvents);
	return renderChunks(cut, framing);
}

async function failureOf(chunks: Buffer[]): Promise<CozeApiError> {
	try {
		const { aggregator } = await aggregate(chunks);
		aggregator.result();
	} catch (error) {
		expect(error).toBeInstanceOf(CozeApiError);
		return error as CozeApiError;
	}
	throw new Error('expected the stream to fail');
}

const JOKE = '为什么小明要带一把尺子去看电影？\n因为他听说电影很长，怕坐不下！';

/** What a correct client makes of each complete scenario (cloud dialect). */
const EXPECTED: Record<string, Partial<WorkflowRunResult> & { live?: string }> = {
	nestedChatflow: {
		status: 'completed',
		output: 'Kyoto is best in autumn.',
		messages: [],
		usage: WORKFLOW_USAGE,
		debug_url: DEBUG_URL,
		live: 'Kyoto is best in autumn.',
	},
	docsStream: {
		status: 'completed',
		output: { output: JOKE },
		messages: [{ node_title: 'Message', content: `msg${JOKE}` }],
		usage: WORKFLOW_USAGE,
		live: `msg${JOKE}`,
	},
	echo: {
		status: 'completed',
		output: { output: 'Hello, guest!', echo: { parameters: {} } },
		messages: [],
		debug_url: DEBUG_URL,
		execute_id: EXECUTE_ID,
		live: '',
	},
	textEnd: { status: 'completed', output: 'It is sunny in Hangzhou.', messages: [], debug_url: DEBUG_URL, live: 'It is sunny in Hangzhou.' },
	twoOutputs: {
		status: 'completed',
		output: { summary: 'Outline and draft are ready.', words: 7 },
		messages: [
			{ node_title: 'Outline', node_id: '100001', node_execute_uuid: '7500000000000100001', content: '1. Intro 2. Details' },
			{ node_title: 'Draft', node_id: '100002', node_execute_uuid: '7500000000000100002', content: 'Coze workflows stream their output.' },
		],
		debug_url: DEBUG_URL,
		live: '1. Intro \n\nCoze workflows \n\n2. Details\n\nstream their output.',
	},
	question: {
		status: 'interrupted',
		output: null,
		messages: [{ node_title: '问答', content: '请问你想查看哪个城市、哪一天的天气呢' }],
		interrupt: { event_id: EVENT_ID, type: 2, node_title: '问答', data: '', required_parameters: {} },
		execute_id: EXECUTE_ID,
	},
	input: {
		status: 'interrupted',
		messages: [],
		interrupt: {
			event_id: EVENT_ID,
			type: 5,
			node_title: 'Input',
			data: { content_type: 'text', content: '[{"type":"string","name":"name","required":true}]' },
			required_parameters: { name: { type: 'string', required: true } },
		},
	},
	cozeGo: { status: 'completed', output: 'World', messages: [{ node_title: 'Start', content: 'Hello' }], debug_url: DEBUG_URL },
	slow: { status: 'completed', output: { output: 'Report ready' }, messages: [], debug_url: DEBUG_URL },
	trimmed: { status: 'completed', debug_url: DEBUG_URL, output: { ok: true, size: 5000 }, messages: [{ node_title: 'Big Output', node_id: '100003', node_execute_uuid: '7500000000000100003', content: 'x'.repeat(5000) }] },
};

const FAILING: Record<string, { code?: number; msg: string }> = {
	cozepyError: { code: 4000, msg: 'The Coze workflow failed: Request parameter error' },
	fails: { code: 720701013, msg: "Node 'Code' failed: division by zero" },
	lostPacket: { msg: "Coze's stream lost packets: event 3 arrived after 1, so event 2 is missing" },
	broken: { msg: 'ended before the run finished' },
};

const WORKFLOW_FRAMINGS: Record<string, Framing> = {
	...FRAMINGS,
	docs: { ...REAL_FRAMING, spaceAfterColon: true, trailingNewline: false },
};

describe.each(Object.entries(WORKFLOW_FRAMINGS))('workflow stream with framing %s', (_framingName, framing) => {
	it.each(Object.keys(EXPECTED))('%s', async (name) => {
		const { live: expectedLive, ...expected } = EXPECTED[name];
		const { aggregator, live } = await aggregate(render(scenarios[name].run(DEFAULT_CONTEXT), framing));
		const result = aggregator.result();
		expect(result).toMatchObject(expected);
		if (!('debug_url' in expected)) expect(result.debug_url).toBeUndefined();
		if (expectedLive !== undefined) expect(live.join('')).toBe(expectedLive);
	});

	it.each(Object.keys(FAILING))('%s fails with what Coze said', async (name) => {
		const failure = await failureOf(render(scenarios[name].run(DEFAULT_CONTEXT), framing));
		expect(failure.code).toBe(FAILING[name].code);
		expect(failure.msg).toContain(FAILING[name].msg);
	});
});

describe('Coze Studio dialect', () => {
	it.each([false, true])('reads lowercase=%s event names, node_type and Interrupt without node_title', async (lowercase) => {
		const spaced = { ...REAL_FRAMING, spaceAfterColon: true };
		const docs = (await aggregate(render(scenarios.twoOutputs.run(DEFAULT_CONTEXT), spaced, 'studio', lowercase))).aggregator.result();
		const { live: _live, ...cloud } = EXPECTED.twoOutputs;
		// Studio sends node_id and node_type, no node_execute_uuid.
		const messages = cloud.messages!.map(({ node_execute_uuid: _uuid, ...rest }) => rest);
		expect(docs).toMatchObject({ ...cloud, messages, debug_url: DEBUG_URL, execute_id: EXECUTE_ID });
		expect(docs.messages[0]).not.toHaveProperty('node_execute_uuid');
		const question = (await aggregate(render(scenarios.question.run(DEFAULT_CONTEXT), spaced, 'studio', lowercase))).aggregator.result();
		expect(question).toMatchObject({ status: 'interrupted', interrupt: { event_id: EVENT_ID, type: 2, node_title: '' }, debug_url: DEBUG_URL });
		// Studio's End packet is titled "End" and typed End: the output, not a message.
		const echo = (await aggregate(render(scenarios.echo.run(DEFAULT_CONTEXT), spaced, 'studio', lowercase))).aggregator.result();
		expect(echo.messages).toEqual([]);
		expect(echo.output).toMatchObject({ output: 'Hello, guest!' });
	});

	it('fails on a plain-text error event without an id, keeping the text', async () => {
		const text = 'id: 0\nevent: message\ndata: {"content":"a","node_seq_id":"0","node_id":"1","node_is_finish":false,"node_type":"Message","node_title":"M"}\n\nevent: error\ndata: workflow stream recv failed: context canceled\ndata: execute interrupted\n\n';
		const failure = await failureOf([Buffer.from(text)]);
		expect(failure.code).toBeUndefined();
		expect(failure.msg).toBe('The Coze workflow failed: workflow stream recv failed: context canceled\nexecute interrupted');
	});

	// sendStreamRunSSE writes a failed Recv as `event: error` + err.Error() (coze-studio
	// api/handler/coze/workflow_service.go); an errorx error reads `code=N message=M`, then cause and
	// a Go stack on further lines (pkg/errorx/internal/status.go), which hertz splits into data lines.
	it('reads a plain-text errorx error: its code and message, without the Go stack', async () => {
		const text = 'id: 0\nevent: Message\ndata: {"content":"a","node_seq_id":"0","node_id":"1","node_is_finish":false,"node_type":"Message","node_title":"M"}\n\nevent: error\ndata: code=720702013 message=workflow execution timeout\ndata: stack=goroutine 1 [running]:\ndata: github.com/coze-dev/coze-studio/backend/pkg/errorx/internal.NewByCode(...)\n\n';
		const failure = await failureOf([Buffer.from(text)]);
		expect(failure.code).toBe(720702013);
		expect(failure.msg).toBe('The Coze workflow failed: workflow execution timeout');
	});

	it('takes the Error event\'s debug_url and execute id', async () => {
		const studioError = renderStream(scenarios.fails.run(DEFAULT_CONTEXT), { dialect: 'studio', executeId: EXECUTE_ID, workflowId: '1', debugUrl: DEBUG_URL });
		const failure = await failureOf(renderChunks(studioError, { ...REAL_FRAMING, spaceAfterColon: true }));
		expect(failure).toMatchObject({ code: 720701013, debugUrl: DEBUG_URL, executeId: EXECUTE_ID });
	});
});

describe('packet integrity', () => {
	const noIds = { ...REAL_FRAMING, omitIds: true };

	it('without event ids, a missing node_seq_id is a lost packet', async () => {
		const failure = await failureOf(render(scenarios.lostPacket.run(DEFAULT_CONTEXT), noIds));
		expect(failure.msg).toBe(
			"Coze's stream lost packets: node 'Message' sent node_seq_id 3 where 2 was expected, so its output would be incomplete",
		);
	});

	it('without event ids, coze-go\'s numbering (End starting at node_seq_id 1) is refused', async () => {
		const failure = await failureOf(render(scenarios.cozeGo.run(DEFAULT_CONTEXT), noIds));
		expect(failure.msg).toContain("node 'End' sent node_seq_id 1 where 0 was expected");
	});

	it('without event ids, a node left unfinished at Done is refused', async () => {
		const plan: RunPlan = { steps: [{ kind: 'message', packet: { node: { title: 'Message', kind: 'Message' }, content: 'half', finish: false } }], ending: { kind: 'done', debugUrl: false } };
		const failure = await failureOf(render(plan, noIds));
		expect(failure.msg).toContain("node 'Message' never sent its last packet");
		// With event ids the same stream proves nothing was lost: Coze just did not mark the node finished.
		const { aggregator } = await aggregate(render(plan, REAL_FRAMING));
		expect(aggregator.result().messages).toEqual([{ node_title: 'Message', content: 'half' }]);
	});

	it('refuses ids that go backwards or do not start at 0', async () => {
		const plan = scenarios.docsStream.run(DEFAULT_CONTEXT);
		const events = renderStream(plan, { dialect: 'cloud', executeId: EXECUTE_ID, workflowId: '1', debugUrl: DEBUG_URL });
		const swapped = [events[0], events[2], events[1], ...events.slice(3)];
		expect((await failureOf(renderChunks(swapped, REAL_FRAMING))).msg).toContain('event 2 arrived after 0');
		expect((await failureOf(renderChunks(events.slice(1), REAL_FRAMING))).msg).toContain('event 1 arrived after none, so event 0 is missing');
		const repeated = [events[0], events[1], events[1], ...events.slice(2)];
		expect((await failureOf(renderChunks(repeated, REAL_FRAMING))).msg).toContain('out of order: event 1 arrived where event 2 was expected');
	});

	it('an unknown event alone (cozepy\'s invalid-event stream) is an incomplete run', async () => {
		const failure = await failureOf([Buffer.from('id:0\nevent:invalid\ndata:{}')]);
		expect(failure.msg).toContain('ended before the run finished');
	});

	it('reads a stream shaped like cozepy\'s fixture: an Error after six Messages, restarting at id 0', async () => {
		const message = (id: number, content: string, seq: number, finish: boolean, title = 'Message') =>
			`id: ${id}\nevent: Message\ndata: ${JSON.stringify({ content, node_is_finish: finish, node_seq_id: String(seq), node_title: title })}\n\n`;
		const text = [0, 1, 2, 3].map((i) => message(i, `p${i}`, i, false)).join('') + message(4, 'p4', 4, true) +
			`id: 5\nevent: Message\ndata: {"content":"{\\"output\\":\\"x\\"}","cost":"0.00","node_is_finish":true,"node_seq_id":"0","node_title":"","token":0}\n\n` +
			'id: 0\nevent: Error\ndata: {"error_code":4000,"error_message":"Request parameter error"}\n\n';
		const failure = await failureOf([Buffer.from(text)]);
		expect(failure).toMatchObject({ code: 4000, msg: 'The Coze workflow failed: Request parameter error' });
	});

	it('ignores PING heartbeats but counts their ids', async () => {
		const { aggregator } = await aggregate([Buffer.from('id:0\nevent:PING\ndata:{}\n\nid:1\nevent:Done\ndata:{}\n\n')]);
		expect(aggregator.result()).toMatchObject({ status: 'completed', output: null, messages: [] });
	});

	it('a node that runs twice (a loop) gives two messages; Coze Studio may keep counting its node_seq_id', async () => {
		const packet = (id: number, seq: number, content: string, finish: boolean) =>
			`id: ${id}\nevent: Message\ndata: ${JSON.stringify({ content, node_id: '7', node_type: 'Message', node_title: 'Loop Output', node_seq_id: String(seq), node_is_finish: finish })}\n\n`;
		const text = packet(0, 0, 'one', true) + packet(1, 1, 'two', true) + packet(2, 0, 'three', true) + 'id: 3\nevent: Done\ndata: {}\n\n';
		const { aggregator } = await aggregate([Buffer.from(text)]);
		expect(aggregator.result().messages.map((m) => m.content)).toEqual(['one', 'two', 'three']);
	});
});

describe('a node that repeats the node before it (coze-studio #2281: a chatflow nested in a workflow)', () => {
	/** Cloud-shaped packets with event ids; `end` packets carry the End node's `token`/`cost`. */
	function stream(nodes: Array<{ id: string; title: string; parts: string[]; end?: boolean }>): string {
		let id = 0;
		let text = '';
		for (const node of nodes) {
			node.parts.forEach((content, seq) => {
				const last = seq === node.parts.length - 1;
				const data: Record<string, unknown> = { content, node_id: node.id, node_title: node.title, node_seq_id: String(seq), node_is_finish: last };
				if (node.end && last) Object.assign(data, { cost: '0', token: 10 });
				text += `id: ${id++}\nevent: Message\ndata: ${JSON.stringify(data)}\n\n`;
			});
		}
		return `${text}id: ${id}\nevent: Done\ndata: {}\n\n`;
	}

	it('the outer End node streaming the inner chatflow\'s answer again: the answer is shown and counted once', async () => {
		const text = stream([
			{ id: '100', title: 'Nested chatflow', parts: ['Kyoto ', 'in ', 'autumn.'] },
			{ id: '900', title: 'End', parts: ['Kyoto ', 'in ', 'autumn.'], end: true },
		]);
		const { aggregator, live } = await aggregate([Buffer.from(text)]);
		expect(live.join('')).toBe('Kyoto in autumn.');
		const result = aggregator.result();
		expect(result.output).toBe('Kyoto in autumn.');
		expect(result.messages).toEqual([]);
		expect(aggregator.endWasLive).toBe(true); // the text went out (as the inner node's): nothing to add at the end
	});

	it('two message nodes with the same text: listed once', async () => {
		const text = stream([
			{ id: '100', title: 'Inner Output', parts: ['Hello', ' there'] },
			{ id: '200', title: 'Outer Output', parts: ['Hello', ' there'] },
		]);
		const { aggregator, live } = await aggregate([Buffer.from(text)]);
		expect(live.join('')).toBe('Hello there');
		expect(aggregator.result().messages).toEqual([{ node_title: 'Inner Output', node_id: '100', content: 'Hello there' }]);
	});

	it('a node that starts like the one before and then says more is no echo: all of its text is shown, in order', async () => {
		const text = stream([
			{ id: '100', title: 'Draft', parts: ['Kyoto'] },
			{ id: '200', title: 'Final', parts: ['Kyoto', ' and Nara.'] },
		]);
		const { aggregator, live } = await aggregate([Buffer.from(text)]);
		expect(live.join('')).toBe('Kyoto\n\nKyoto and Nara.');
		expect(aggregator.result().messages.map((m) => m.content)).toEqual(['Kyoto', 'Kyoto and Nara.']);
	});

	it('a node that stops early while still matching (the run ends): what it said is shown and kept', async () => {
		const text = stream([
			{ id: '100', title: 'First', parts: ['Kyoto in autumn.'] },
			{ id: '200', title: 'Second', parts: ['Kyoto'] },
		]);
		const { aggregator, live } = await aggregate([Buffer.from(text)]);
		expect(live.join('')).toBe('Kyoto in autumn.\n\nKyoto');
		expect(aggregator.result().messages.map((m) => m.content)).toEqual(['Kyoto in autumn.', 'Kyoto']);
	});

	it('a one-packet End result that repeats the message before it: the message is left to the End output', async () => {
		const text = stream([
			{ id: '100', title: 'Answer', parts: ['It is sunny.'] },
			{ id: '900', title: 'End', parts: ['It is sunny.'], end: true },
		]);
		const { aggregator, live } = await aggregate([Buffer.from(text)]);
		expect(live.join('')).toBe('It is sunny.');
		const result = aggregator.result();
		expect(result.output).toBe('It is sunny.');
		expect(result.messages).toEqual([]);
	});

	it('the same node running again with the same text (a loop) is not an echo', async () => {
		const packet = (id: number, content: string) =>
			`id: ${id}\nevent: Message\ndata: ${JSON.stringify({ content, node_id: '7', node_title: 'Loop Output', node_seq_id: '0', node_is_finish: true })}\n\n`;
		const { aggregator, live } = await aggregate([Buffer.from(packet(0, 'OK') + packet(1, 'OK') + 'id: 2\nevent: Done\ndata: {}\n\n')]);
		expect(live.join('')).toBe('OK\n\nOK');
		expect(aggregator.result().messages.map((m) => m.content)).toEqual(['OK', 'OK']);
	});

	it('another node between the two: no echo', async () => {
		const text = stream([
			{ id: '100', title: 'A', parts: ['same'] },
			{ id: '200', title: 'B', parts: ['other'] },
			{ id: '300', title: 'C', parts: ['same'] },
		]);
		const { aggregator } = await aggregate([Buffer.from(text)]);
		expect(aggregator.result().messages.map((m) => m.content)).toEqual(['same', 'other', 'same']);
	});
});

describe('decoding', () => {
	it('decodes End results: JSON objects, text, the text-answer wrapper, null', () => {
		expect(decodeOutput('{"output":"hi","n":7382159487131697209}')).toEqual({ output: 'hi', n: '7382159487131697209' });
		expect(decodeOutput('It is 42')).toBe('It is 42');
		expect(decodeOutput('42')).toBe('42');
		expect(decodeOutput('{"content_type":1,"data":"来找姐姐有什么事呀","original_result":null,"type_for_model":2}')).toBe('来找姐姐有什么事呀');
		expect(decodeOutput('null')).toBeNull();
		expect(decodeOutput('')).toBeNull();
		expect(decodeOutput('{broken')).toBe('{broken');
	});

	it('normalizes the docs\' run history: Output decoded twice, empty error_code, token as a string', () => {
		const history = normalizeHistory({
			update_time: 1730174065,
			usage: { input_count: 50, token_count: 150, output_count: 100 },
			output: '{"Output":"{\\"content_type\\":1,\\"data\\":\\"来找姐姐有什么事呀\\",\\"original_result\\":null,\\"type_for_model\\":2}","Message 1":"hello"}',
			bot_id: '7429634862325690000',
			token: '0',
			execute_status: 'Success',
			connector_uid: '2236870734640000',
			run_mode: 0,
			connector_id: '1024',
			logid: '20241029115423ED85C3401395715F726E',
			debug_url: DEBUG_URL,
			error_code: '',
			error_message: '',
			execute_id: EXECUTE_ID,
			create_time: 1730174063,
		});
		expect(history).toMatchObject({
			execute_id: EXECUTE_ID,
			status: 'completed',
			output: '来找姐姐有什么事呀',
			messages: [{ node_title: 'Message 1', content: 'hello' }],
			error: null,
			usage: { input_count: 50, token_count: 150, output_count: 100 },
			run_mode: 0,
			bot_id: '7429634862325690000',
		});
	});

	it('normalizes a Running entry (Output "null") and a Fail entry', () => {
		expect(normalizeHistory({ execute_status: 'Running', output: '{"Output":"null"}', error_code: '' })).toMatchObject({ status: 'running', output: null, error: null });
		expect(normalizeHistory({ execute_status: 'Fail', output: '', error_code: '720701013', error_message: 'boom' })).toMatchObject({
			status: 'failed',
			error: { code: 720701013, message: 'boom' },
		});
	});

	it('normalizes Coze Studio\'s entry: numeric ids, log_id, error_msg', () => {
		const history = normalizeHistory({ execute_id: '7559860095103800001', execute_status: 'Success', bot_id: 0, log_id: 'abc', output: '{"output":"x"}', error_code: '', error_msg: '' });
		expect(history).toMatchObject({ execute_id: '7559860095103800001', status: 'completed', output: { output: 'x' }, logid: 'abc' });
		expect(history.bot_id).toBeUndefined();
	});
});
