/**
 * Real cloud bytes replayed through the node in n8n-core's engine: each case answers one Coze path
 * with exactly the bytes a source shows (cozepy's captured streams in tests/testdata, SDK test
 * bodies, docs.coze.cn examples), and checks what the node makes of them.
 */
import { CozeApi } from '../../credentials/CozeApi.credentials';
import { CozeChat } from '../../nodes/CozeChat/CozeChat.node';
import { EMULATOR_TOKEN, startEmulator, type CozeEmulator, type EmulatorRoute } from '../emulator/server';
import { runListSearch } from '../harness';
import { rejectionOf, runCoze, sendMessage } from './helpers';
import { runWorkflowNode, workflowParams } from './workflowHelpers';

let emulator: CozeEmulator;

interface Canned {
	status?: number;
	contentType?: string;
	headers?: Record<string, string>;
	body: string;
}

/** Answers listed paths (method + path) with canned bytes, in order; the last one repeats. */
const canned = new Map<string, Canned[]>();
const replay: EmulatorRoute = ({ method, path, res }) => {
	const queue = canned.get(`${method} ${path}`);
	if (!queue || queue.length === 0) return false;
	const reply = queue.length > 1 ? queue.shift()! : queue[0];
	res.writeHead(reply.status ?? 200, {
		'Content-Type': reply.contentType ?? 'application/json; charset=utf-8',
		'x-tt-logid': '20250101000000REPLAYLOGID0001',
		...reply.headers,
	});
	res.end(reply.body);
	return true;
};
const serve = (route: string, ...replies: Canned[]) => canned.set(route, replies);
const sse = (body: string): Canned => ({ contentType: 'text/event-stream', body });
const json = (value: unknown, status = 200): Canned => ({ status, body: typeof value === 'string' ? value : JSON.stringify(value) });

beforeAll(async () => {
	emulator = await startEmulator();
	emulator.routes.unshift(replay);
});
afterAll(async () => await emulator.stop());
beforeEach(() => canned.clear());

const BOT = '7379462189365198898';

// coze-py tests/testdata/chat_text_stream_resp.txt (ends without a newline).
const CHAT_TEXT = [
	'event:conversation.chat.created',
	'data:{"id":"7382159487131697202","conversation_id":"7381473525342978089","bot_id":"7379462189365198898","completed_at":1718792949,"last_error":{"code":0,"msg":""},"status":"created","usage":{"token_count":0,"output_count":0,"input_count":0}}',
	'',
	'event:conversation.chat.in_progress',
	'data:{"id":"7382159487131697202","conversation_id":"7381473525342978089","bot_id":"7379462189365198898","completed_at":1718792949,"last_error":{"code":0,"msg":""},"status":"in_progress","usage":{"token_count":0,"output_count":0,"input_count":0}}',
	'',
	'event:conversation.message.delta',
	'data:{"id":"7382159494123470858","conversation_id":"7381473525342978089","bot_id":"7379462189365198898","role":"assistant","type":"answer","content":"2","content_type":"text","chat_id":"7382159487131697202"}',
	'',
	'event:conversation.message.delta',
	'data:{"id":"7382159494123470858","conversation_id":"7381473525342978089","bot_id":"7379462189365198898","role":"assistant","type":"answer","content":"星期三","content_type":"text","chat_id":"7382159487131697202"}',
	'',
	'event:conversation.message.completed',
	'data:{"id":"7382159494123470858","conversation_id":"7381473525342978089","bot_id":"7379462189365198898","role":"assistant","type":"answer","content":"2024 年 10 月 1 日是星期三。","content_type":"text","chat_id":"7382159487131697202"}',
	'',
	'event:conversation.chat.completed',
	'data:{"id":"7382159487131697202","conversation_id":"7381473525342978089","bot_id":"7379462189365198898","completed_at":1718792949,"last_error":{"code":0,"msg":""},"status":"completed","usage":{"token_count":633,"output_count":19,"input_count":614}}',
	'',
	'event:done',
	'data:"[DONE]"',
].join('\n');

describe('chat v3 stream (cozepy captures)', () => {
	it('chat_text_stream_resp: answer, usage, exact ids', async () => {
		serve('POST /v3/chat', sse(CHAT_TEXT));
		const [item] = await runCoze(emulator, sendMessage(BOT));
		expect(item.json).toMatchObject({
			answer: '2024 年 10 月 1 日是星期三。',
			status: 'completed',
			chat_id: '7382159487131697202',
			conversation_id: '7381473525342978089',
			usage: { token_count: 633, output_count: 19, input_count: 614 },
		});
	});

	it('chat_failed_resp: code 5000 and its message', async () => {
		serve(
			'POST /v3/chat',
			sse(
				'event:conversation.chat.failed\ndata:{"id":"7390342853760696354","conversation_id":"7390331532575195148","bot_id":"7374724495711502387","completed_at":1720698285,"failed_at":1720698286,"last_error":{"code":5000,"msg":"event interval error"},"status":"failed","usage":{"token_count":0,"output_count":0,"input_count":0}}',
			),
		);
		const error = await rejectionOf(runCoze(emulator, sendMessage(BOT)));
		expect(error.message).toBe('Coze error 5000: The Coze chat failed: event interval error');
		expect(String(error.description)).toContain('logid: 20250101000000REPLAYLOGID0001');
		expect(String(error.description)).toContain('chat_id: 7390342853760696354');
	});

	it('chat_error_resp: error with data:{}', async () => {
		serve('POST /v3/chat', sse('event:error\ndata:{}'));
		const error = await rejectionOf(runCoze(emulator, sendMessage(BOT)));
		expect(error.message).toContain('Coze sent an error event with no message');
		expect(String(error.description)).toContain('logid: 20250101000000REPLAYLOGID0001');
	});

	it('chat_invalid_resp: only an unknown event', async () => {
		serve('POST /v3/chat', sse('event:invalid\ndata:{}'));
		const error = await rejectionOf(runCoze(emulator, sendMessage(BOT)));
		expect(error.message).toContain('The Coze stream ended before the chat started');
	});

	it('stream JSON rejection (HTTP 200 application/json)', async () => {
		serve('POST /v3/chat', json({ code: 4000, msg: 'Request parameter error', detail: { logid: '2024LOGID' } }));
		const error = await rejectionOf(runCoze(emulator, sendMessage(BOT)));
		expect(error.message).toBe('Coze error 4000: Request parameter error');
		expect(String(error.description)).toContain('logid: 20250101000000REPLAYLOGID0001');
	});
});

describe('chat v3 stream: other real shapes', () => {
	it('chat_audio_stream_resp: placeholder required_action, section_id, audio delta after chat.completed', async () => {
		// coze-py tests/testdata/chat_audio_stream_resp.txt, the ~97 KB base64 audio delta shortened.
		const chat = (status: string, extra = '') =>
			`{"id":"chat_id","conversation_id":"conversation_id","bot_id":"bot_id","created_at":1730713302,${extra}"last_error":{"code":0,"msg":""},"status":"${status}","usage":{"token_count":${status === 'completed' ? '115,"output_count":24,"input_count":91' : '0,"output_count":0,"input_count":0'}},"required_action":{"type":"","submit_tool_outputs":{"tool_calls":[]}},"section_id":"conversation_id"}`;
		const message = (event: string, type: string, content: string, id = 'message_id', contentType = 'text') =>
			`event:${event}\ndata:{"id":"${id}","conversation_id":"conversation_id","bot_id":"bot_id","role":"assistant","type":"${type}","content":${JSON.stringify(content)},"content_type":"${contentType}","chat_id":"chat_id","section_id":"conversation_id"}`;
		serve(
			'POST /v3/chat',
			sse(
				[
					`event:conversation.chat.created\ndata:${chat('created')}`,
					`event:conversation.chat.in_progress\ndata:${chat('in_progress')}`,
					message('conversation.message.delta', 'answer', 'delta text'),
					message('conversation.message.completed', 'answer', 'delta text'),
					message('conversation.message.completed', 'verbose', '{"msg_type":"generate_answer_finish","data":"{\\"finish_reason\\":0,\\"FinData\\":\\"\\"}","from_module":null,"from_unit":null}', '7433357037570146342'),
					`event:conversation.chat.completed\ndata:${chat('completed', '"completed_at":1730713309,')}`,
					message('conversation.audio.delta', 'answer', 'KgAxAC8ALgAvAC0AKgAuACwAKgAnACUAIwAiACIAGQAXABwAGQAU', 'message_id', 'audio'),
					'event:done\ndata:"[DONE]"',
				].join('\n\n'),
			),
		);
		const [item] = await runCoze(emulator, sendMessage(BOT));
		expect(item.json).toEqual({
			answer: 'delta text',
			reasoning_content: '',
			follow_ups: [],
			tool_calls: [],
			usage: { input_count: 91, output_count: 24, token_count: 115 },
			status: 'completed',
			chat_id: 'chat_id',
			answer_message_id: 'message_id',
			conversation_id: 'conversation_id',
			section_id: 'conversation_id',
			bot_id: 'bot_id',
		});
	});

	it('HTTP 401 with the 4100 envelope on the stream endpoint', async () => {
		serve('POST /v3/chat', json({ code: 4100, msg: 'authentication is invalid', detail: { logid: '20250101000000REPLAYLOGID0001' } }, 401));
		const error = await rejectionOf(runCoze(emulator, sendMessage(BOT)));
		expect(error.message).toBe('Coze error 4100: authentication is invalid');
		expect(String(error.description)).toContain('use a token created on that server');
	});
});

describe('chat companions and conversations (docs.coze.cn response examples)', () => {
	const CONVERSATION = {
		id: '7379996104798150001',
		name: '推荐杭州美食',
		meta_data: { uuid: 'newid1234' },
		created_at: 1718289297,
		creator_id: '2478774393250001',
		connector_id: '1024',
		updated_at: 1718289297,
		last_section_id: '7495664347616952360',
	};

	it('non-stream: a create that is already completed, the list with verbose before the answer', async () => {
		const chat = { id: '7382159487131697202', conversation_id: '7381473525342978089', bot_id: BOT, created_at: 1718792949, last_error: { code: 0, msg: '' }, status: 'completed', usage: { token_count: 633, output_count: 19, input_count: 614 }, section_id: '7381473525342978089' };
		serve('POST /v3/chat', json({ code: 0, msg: '', data: chat }));
		serve('GET /v3/chat/retrieve', json({ code: 0, msg: '', data: chat }));
		// list_chat_messages.md: the verbose finish comes first.
		serve('GET /v3/chat/message/list', json({ code: 0, msg: '', detail: { logid: 'x' }, data: [
			{ bot_id: BOT, content: '{"msg_type":"generate_answer_finish","data":"","from_module":null,"from_unit":null}', content_type: 'text', conversation_id: chat.conversation_id, id: '7382167620809700001', role: 'assistant', type: 'verbose' },
			{ bot_id: BOT, content: '2024 年 10 月 1 日是星期二。', content_type: 'text', conversation_id: chat.conversation_id, id: '7382167606247240001', role: 'assistant', type: 'answer' },
		] }));
		const [item] = await runCoze(emulator, sendMessage(BOT, { options: { stream: false, pollInterval: 0.1 } }));
		expect(item.json).toMatchObject({ answer: '2024 年 10 月 1 日是星期二。', status: 'completed', chat_id: chat.id, usage: { token_count: 633, output_count: 19, input_count: 614 } });
	});

	it('cancel: an envelope without code, last_error.code null, usage {}', async () => {
		// chat_cancel.md
		serve('POST /v3/chat/cancel', json('{"data":{"id":"7381371876397940001","usage":{},"bot_id":"7379462189365190001","status":"completed","failed_at":null,"meta_data":{},"created_at":1718609571,"last_error":{"msg":"","code":null},"section_id":"","completed_at":1718609575,"conversation_id":"7397787494390000001","required_action":{"type":"","submit_tool_outputs":{"tool_calls":[{"id":"","type":"","function":{"name":"","arguments":""}}]}}},"detail":{"logid":"20241210152726467C48D89D6DB2F37A23"},"msg":""}'));
		const [item] = await runCoze(emulator, { resource: 'chat', operation: 'cancel', conversationId: '7397787494390000001', chatId: '7381371876397940001' });
		expect(item.json).toMatchObject({ id: '7381371876397940001', status: 'completed', conversation_id: '7397787494390000001' });
	});

	it('create / get / list / clear pass the conversation through with exact ids', async () => {
		serve('POST /v1/conversation/create', json({ data: CONVERSATION, detail: { logid: 'l' }, code: 0, msg: '' }));
		serve('GET /v1/conversation/retrieve', json({ data: CONVERSATION, detail: { logid: 'l' }, code: 0, msg: '' }));
		serve('GET /v1/conversations', json({ code: 0, msg: '', data: { has_more: false, conversations: [CONVERSATION] }, detail: { logid: 'l' } }));
		serve(`POST /v1/conversations/${CONVERSATION.id}/clear`, json({ code: 0, msg: '', data: { id: '7533194625117500001', conversation_id: CONVERSATION.id }, detail: { logid: 'l' } }));
		const bot = { __rl: true, mode: 'id', value: BOT };
		expect((await runCoze(emulator, { resource: 'conversation', operation: 'create', botId: bot, options: {} }))[0].json).toEqual(CONVERSATION);
		expect((await runCoze(emulator, { resource: 'conversation', operation: 'get', conversationId: CONVERSATION.id }))[0].json).toEqual(CONVERSATION);
		expect((await runCoze(emulator, { resource: 'conversation', operation: 'list', botId: bot, returnAll: true, options: {} })).map((i) => i.json)).toEqual([CONVERSATION]);
		expect((await runCoze(emulator, { resource: 'conversation', operation: 'clearContext', conversationId: CONVERSATION.id }))[0].json).toEqual({ id: '7533194625117500001', conversation_id: CONVERSATION.id });
	});
});

const WF = '7389589103588700000';
const app = { associateWith: 'app', appId: '7439828073000000001' };

describe('workflows (docs.coze.cn and SDK shapes)', () => {
	it('sync run: data as a JSON string, usage, execute_id from the debug_url', async () => {
		// workflow_run.md
		serve('POST /v1/workflow/run', json({ code: 0, data: '{"output":"北京的经度为116.4074°E，纬度为39.9042°N。"}', debug_url: `https://www.coze.cn/work_flow?execute_id=7413647890307280001&space_id=7361424235321600001&workflow_id=${WF}`, msg: '', usage: { input_count: 50, token_count: 150, output_count: 100 } }));
		const [item] = await runWorkflowNode(emulator, workflowParams('run', WF, { runMode: 'sync' }));
		expect(item.json).toMatchObject({ status: 'completed', output: { output: '北京的经度为116.4074°E，纬度为39.9042°N。' }, usage: { input_count: 50, output_count: 100, token_count: 150 }, execute_id: '7413647890307280001' });
	});

	it('async run without code, then the history with Output wrapping a text answer', async () => {
		// workflow_run.md (async answer) and workflow_history.md
		serve('POST /v1/workflow/run', json({ debug_url: `https://www.coze.cn/work_flow?execute_id=7424823131288400001&workflow_id=${WF}`, execute_id: '7424823131288400001', msg: '' }));
		const history = '{"detail":{"logid":"20241029152003BC531DC784F1897B0001"},"code":0,"msg":"","data":[{"update_time":1730174065,"usage":{"input_count":50,"token_count":150,"output_count":100},"output":"{\\"Output\\":\\"{\\\\\\"content_type\\\\\\":1,\\\\\\"data\\\\\\":\\\\\\"来找姐姐有什么事呀\\\\\\",\\\\\\"original_result\\\\\\":null,\\\\\\"type_for_model\\\\\\":2}\\"}","bot_id":"7429634862325690001","token":"0","execute_status":"Success","connector_uid":"2236870734640001","run_mode":0,"connector_id":"1024","logid":"20241029115423ED85C3401395715F726E","debug_url":"https://www.coze.cn/work_flow?execute_id=7424823131288400001","error_code":"","error_message":"","execute_id":"7424823131288400001","create_time":1730174063}]}';
		serve(`GET /v1/workflows/${WF}/run_histories/7424823131288400001`, json(history));
		const [run] = await runWorkflowNode(emulator, workflowParams('run', WF, { runMode: 'async', options: { pollInterval: 0.1 } }));
		expect(run.json).toMatchObject({ status: 'completed', output: '来找姐姐有什么事呀', execute_id: '7424823131288400001', usage: { token_count: 150 } });
		const [got] = await runWorkflowNode(emulator, workflowParams('getRunHistory', WF, { executeId: '7424823131288400001' }));
		expect(got.json).toMatchObject({ execute_status: 'Success', status: 'completed', output: '来找姐姐有什么事呀', error: null, bot_id: '7429634862325690001' });
	});

	it('stream_resume: an End packet with legacy token/cost', async () => {
		// workflow_resume.md
		serve('POST /v1/workflow/stream_resume', sse('id: 0\nevent: Message\ndata: {"content":"{\\"output\\":[{\\"condition\\":\\"中到大雨\\",\\"humidity\\":72}]}","content_type":"text","cost":"0","node_is_finish":true,"node_seq_id":"0","node_title":"End","token":386}\n\nid: 1\nevent: Done\ndata: {}\n\n'));
		const [item] = await runWorkflowNode(emulator, workflowParams('resume', WF, { eventId: '7404837275294590001/4338021995674340001', interruptType: 2, resumeData: '杭州，2024-08-20' }));
		expect(item.json).toMatchObject({ status: 'completed', output: { output: [{ condition: '中到大雨', humidity: 72 }] }, usage: { token_count: 386 } });
	});

	it('stream_run: the Error tab of workflow_stream_run.md', async () => {
		serve('POST /v1/workflow/stream_run', sse('id: 0\nevent: Error\ndata: {"error_code":4000,"error_message":"Request parameter error"}\n\n'));
		const error = await rejectionOf(runWorkflowNode(emulator, workflowParams('run', WF)));
		expect(error.message).toBe('Coze error 4000: The Coze workflow failed: Request parameter error');
	});

	it('stream_run: coze-go no-space framing with PING, an unknown event and Done with debug_url', async () => {
		serve('POST /v1/workflow/stream_run', sse('id:0\nevent:Message\ndata:{"content":"Hello","node_title":"Start","node_seq_id":"0","node_is_finish":false}\n\nid:1\nevent:Message\ndata:{"content":"World","node_title":"End","node_seq_id":"1","node_is_finish":true}\n\nid:2\nevent:PING\ndata:{}\n\nid:3\nevent:invalid\ndata:{}\n\nid:4\nevent:Done\ndata:{"debug_url":"https://www.coze.cn/work_flow?***"}\n\n'));
		const [item] = await runWorkflowNode(emulator, workflowParams('run', WF));
		expect(item.json).toMatchObject({ status: 'completed', output: 'World', messages: [{ node_title: 'Start', content: 'Hello' }], debug_url: 'https://www.coze.cn/work_flow?***' });
	});

	it('chatflow: coze-py workflows_chat_stream_resp (spaced framing, no bot_id, done with debug_url)', async () => {
		const chat = (status: string, usage: string, extra = '') => `{"id":"id_1111","conversation_id":"conv_111111111","created_at":1735115982,${extra}"last_error":{"code":0,"msg":""},"status":"${status}","usage":{${usage}},"section_id":"conv_111111111"}`;
		const msg = (event: string, id: string, type: string, content: string) => `event: ${event}\ndata: {"id":"${id}","conversation_id":"conv_111111111","role":"assistant","type":"${type}","content":${JSON.stringify(content)},"content_type":"text","chat_id":"id_1111","section_id":"conv_111111111"}`;
		serve('POST /v1/workflows/chat', sse([
			`event: conversation.chat.created\ndata: ${chat('created', '"token_count":0,"output_count":0,"input_count":0')}`,
			`event: conversation.chat.in_progress\ndata: ${chat('in_progress', '"token_count":0,"output_count":0,"input_count":0')}`,
			msg('conversation.message.delta', 'id_2222', 'answer', 'I'),
			msg('conversation.message.delta', 'id_2222', 'answer', "'m fine, thank you. How about you?"),
			msg('conversation.message.completed', 'id_2222', 'answer', "I'm fine, thank you. How about you?"),
			msg('conversation.message.completed', 'id_3333', 'verbose', '{"msg_type":"generate_answer_finish","data":"{\\"finish_reason\\":0,\\"FinData\\":\\"\\"}","from_module":null,"from_unit":null}'),
			`event: conversation.chat.completed\ndata: ${chat('completed', '"token_count":32,"output_count":11,"input_count":21', '"completed_at":1735115983,')}`,
			'event: done\ndata: {"debug_url":"https://www.coze.cn/work_flow?execute_id=execute_1111\\u0026space_id=space_111\\u0026workflow_id=workflow_1111"}',
		].join('\n\n')));
		const [item] = await runWorkflowNode(emulator, workflowParams('chat', WF, { message: 'hi', ...app }));
		expect(item.json).toMatchObject({
			answer: "I'm fine, thank you. How about you?",
			status: 'completed',
			usage: { input_count: 21, output_count: 11, token_count: 32 },
			chat_id: 'id_1111',
			debug_url: 'https://www.coze.cn/work_flow?execute_id=execute_1111&space_id=space_111&workflow_id=workflow_1111',
		});
	});

	it('chatflow: chat.failed as bare {code,msg} with a string code (workflow_chat.md)', async () => {
		serve('POST /v1/workflows/chat', sse('event: conversation.chat.failed\ndata: {"code": "720702204","msg": "会话名不存在"}\n\n'));
		const error = await rejectionOf(runWorkflowNode(emulator, workflowParams('chat', WF, { message: 'hi', ...app })));
		expect(error.message).toBe('Coze error 720702204: The Coze chat failed: 会话名不存在');
	});

	it('chatflow interrupt (workflow_chat.md): deltas and completed answer under different ids count once', async () => {
		// The docs example streams the question's delta as message 122 and completes it as 124, then a
		// verbose interrupt and done, with no chat status event.
		serve('POST /v1/workflows/chat', sse([
			'event: conversation.chat.created\ndata: {"id":"120","conversation_id":"456","created_at":1733407180,"last_error":{"code":0,"msg":""},"status":"created","usage":{"token_count":0,"output_count":0,"input_count":0},"section_id":"789"}',
			'event: conversation.chat.in_progress\ndata: {"id":"121","conversation_id":"456","created_at":1733407180,"last_error":{"code":0,"msg":""},"status":"in_progress","usage":{"token_count":0,"output_count":0,"input_count":0},"section_id":"789"}',
			'event: conversation.message.delta\ndata: {"id":"122","conversation_id":"456","role":"assistant","type":"answer","content":"中午吃啥了","content_type":"text","chat_id":"567","section_id":"789","created_at":1733407182}',
			'event: conversation.message.completed\ndata: {"id":"124","conversation_id":"456","role":"assistant","type":"answer","content":"中午吃啥了","content_type":"text","chat_id":"567","section_id":"789","created_at":1733407182}',
			'event: conversation.message.completed\ndata: {"id":"125","conversation_id":"456","role":"assistant","type":"verbose","content":"{\\"msg_type\\":\\"interrupt\\",\\"data\\":\\"\\",\\"from_module\\":null,\\"from_unit\\":null}","content_type":"text","chat_id":"567","section_id":"789","created_at":1733407182,"updated_at":1733407182}',
			'event: conversation.message.completed\ndata: {"id":"130","conversation_id":"456","role":"assistant","type":"verbose","content":"{\\"msg_type\\":\\"generate_answer_finish\\",\\"data\\":\\"{\\\\\\"finish_reason\\\\\\":1,\\\\\\"FinData\\\\\\":\\\\\\"\\\\\\"}\\",\\"from_module\\":null,\\"from_unit\\":null}","content_type":"text","chat_id":"567","section_id":"789","created_at":1733407182,"updated_at":1733407182}',
			'event: done\ndata: {"debug_url":"https://www.coze.cn/work_flow?execute_id=7444925685600000001\\u0026space_id=7442165654356000001"}',
		].join('\n\n')));
		const [item] = await runWorkflowNode(emulator, workflowParams('chat', WF, { message: 'hi', ...app }));
		expect(item.json).toMatchObject({ status: 'requires_action', answer: '中午吃啥了', conversation_id: '456', interrupt: { question: '中午吃啥了', conversation_id: '456' } });
	});
});

describe('workflow picker: /v1/workflows page_size', () => {
	it('asks for at most 30 per page, the documented range (get_workflow_list.md: 1 ~ 30)', async () => {
		// Answer like a server that enforces the documented range.
		serve('GET /v1/workspaces', json({ code: 0, msg: '', data: { workspaces: [{ id: '7487600442370100001', name: 'test', workspace_type: 'team' }], total_count: 1 } }));
		const strict: EmulatorRoute = ({ method, path, query, res }, emu) => {
			if (method !== 'GET' || path !== '/v1/workflows') return false;
			const size = Number(query.page_size ?? 10);
			if (!(size >= 1 && size <= 30)) emu.json(res, 200, { code: 4000, msg: 'page_size must be between 1 and 30' });
			else emu.ok(res, { has_more: false, items: [{ workflow_id: '7524966000000000001', workflow_name: 'workflow_Name', app_id: '0', created_at: '1752060786', updated_at: '1752060827', creator: { id: '261500001', name: 'alan' } }] });
			return true;
		};
		emulator.routes.unshift(strict);
		try {
			const page = await runListSearch({
				node: new CozeChat(),
				credentialType: new CozeApi(),
				credentials: { region: 'custom', baseUrl: emulator.url, accessToken: EMULATOR_TOKEN },
				method: 'searchWorkflows',
			});
			expect(page.results.map((r) => r.value)).toEqual(['7524966000000000001']);
		} finally {
			emulator.routes.splice(emulator.routes.indexOf(strict), 1);
		}
	});
});
