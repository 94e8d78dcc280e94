/** Credentials and workflows imported into the real n8n (node type as a UI install names it). */
import { scenarios } from '../emulator/scenarios';

export const NODE_TYPE = 'n8n-nodes-coze.cozeChat';
export const CREDENTIAL_ID = 'cozeEmulatorCred1';
export const CREDENTIAL_NAME = 'Coze (local emulator)';

export function emulatorCredential(baseUrl: string, token: string): Record<string, unknown> {
	return {
		id: CREDENTIAL_ID,
		name: CREDENTIAL_NAME,
		type: 'cozeApi',
		data: { region: 'custom', baseUrl, accessToken: token },
	};
}

/**
 * A node factory for one workflow built in a test file: numbered uuids under `idGroup` (a hex digit
 * per test file, so ids never collide across imported workflows), laid out left to right.
 */
export function nodeBuilder(idGroup: string) {
	let counter = 0;
	return (name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
		counter++;
		return {
			id: `00000000-0000-4000-${idGroup}000-${String(counter).padStart(12, '0')}`,
			name,
			type,
			typeVersion,
			position: [counter * 220, 0],
			parameters,
			...extra,
		};
	};
}

let nodeCounter = 0;
function node(name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) {
	nodeCounter++;
	return {
		id: `00000000-0000-4000-8000-${String(nodeCounter).padStart(12, '0')}`,
		name,
		type,
		typeVersion,
		position: [nodeCounter * 220, 0],
		parameters,
		...extra,
	};
}

function coze(name: string, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}, credentialId = CREDENTIAL_ID, credentialName = CREDENTIAL_NAME) {
	return node(name, NODE_TYPE, 1, parameters, {
		credentials: { cozeApi: { id: credentialId, name: credentialName } },
		...extra,
	});
}

const bot = (value: string) => ({ __rl: true, mode: 'id', value });

function items(name: string, field: string, values: string[]) {
	return [
		node(name, 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify({ [field]: values }), options: {} }),
		node(`Split ${name}`, 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: field, options: {} }),
	];
}

const trigger = () => node('Manual Trigger', 'n8n-nodes-base.manualTrigger', 1, {});
/** A main connection to `to`. */
export const link = (to: string) => ({ node: to, type: 'main', index: 0 });

/** A 1×1 PNG. */
export const PIXEL_PNG_BASE64 =
	'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

export const QUESTIONS = ['Weather in Hangzhou?', 'And tomorrow?', 'And in three days?'];
export const COF_BOTS = [scenarios.plain.botId, scenarios.failedChat.botId, scenarios.followUps.botId];

/** Everything that should succeed, in one run: three branches off one trigger. */
export function happyWorkflow(): Record<string, unknown> {
	nodeCounter = 0;
	const nodes = [
		trigger(),
		// A: three items → streamed tool-call answers → retrieve each chat
		...items('Questions', 'question', QUESTIONS),
		coze('Ask Weather Bot', {
			resource: 'chat',
			operation: 'sendMessage',
			botId: bot(scenarios.toolCall.botId),
			userId: 'e2e-user',
			message: '={{ $json.question }}',
			options: {},
		}),
		coze('Retrieve Chat', {
			resource: 'chat',
			operation: 'retrieve',
			conversationId: '={{ $json.conversation_id }}',
			chatId: '={{ $json.chat_id }}',
			options: {},
		}),
		// B: multi-turn in one conversation, then non-stream mode
		coze('Create Conversation', {
			resource: 'conversation',
			operation: 'create',
			botId: bot(scenarios.memory.botId),
			options: { metaData: { entries: [{ key: 'source', value: 'n8n-e2e' }] } },
		}),
		coze('Turn 1', {
			resource: 'chat',
			operation: 'sendMessage',
			botId: bot(scenarios.memory.botId),
			userId: 'e2e-user',
			message: 'My name is Ada.',
			conversationId: '={{ $json.id }}',
			options: {},
		}),
		coze('Turn 2', {
			resource: 'chat',
			operation: 'sendMessage',
			botId: bot(scenarios.memory.botId),
			userId: 'e2e-user',
			message: 'What is my name?',
			conversationId: '={{ $json.conversation_id }}',
			options: {},
		}),
		coze('Non-stream', {
			resource: 'chat',
			operation: 'sendMessage',
			botId: bot(scenarios.plain.botId),
			userId: 'e2e-user',
			message: 'What day is 2024-10-01?',
			options: { stream: false, pollInterval: 0.2 },
		}),
		// C: Continue On Fail with a failing item in the middle
		...items('Bots', 'bot', COF_BOTS),
		coze(
			'Ask With Continue On Fail',
			{
				resource: 'chat',
				operation: 'sendMessage',
				botId: { __rl: true, mode: 'id', value: '={{ $json.bot }}' },
				userId: 'e2e-user',
				message: 'Hello',
				options: {},
			},
			{ onError: 'continueRegularOutput' },
		),
		// D: tool-output round trip: requires_action → your tool → Submit Tool Outputs → answer
		coze('Ask Local Plugin Bot', {
			resource: 'chat',
			operation: 'sendMessage',
			botId: bot(scenarios.requiresAction.botId),
			userId: 'e2e-user',
			message: 'What is the weather in Nanjing?',
			options: {},
		}),
		coze('Submit Tool Outputs', {
			resource: 'chat',
			operation: 'submitToolOutputs',
			conversationId: '={{ $json.conversation_id }}',
			chatId: '={{ $json.chat_id }}',
			toolOutputsInput: 'fields',
			toolOutputs: {
				entries: [
					{
						toolCallId: '={{ $json.required_action.tool_calls[0].id }}',
						output: '={{ { city: $json.required_action.tool_calls[0].args.location, forecast: "rain" } }}',
					},
				],
			},
			options: {},
		}),
		// E: an image from n8n binary data: upload, then object_string with the file id
		node('Image Data', 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: JSON.stringify({ png: PIXEL_PNG_BASE64 }), options: {} }),
		node('To File', 'n8n-nodes-base.convertToFile', 1.1, {
			operation: 'toBinary',
			sourceProperty: 'png',
			options: { fileName: 'pixel.png', mimeType: 'image/png' },
		}),
		coze('Ask About Image', {
			resource: 'chat',
			operation: 'sendMessage',
			botId: bot(scenarios.vision.botId),
			userId: 'e2e-user',
			message: 'What is in this picture?',
			options: { binaryProperties: 'data' },
		}),
	];
	return {
		id: 'cozeE2eHappy00001',
		name: 'Coze e2e: happy paths',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes,
		connections: {
			'Manual Trigger': {
				main: [[link('Questions'), link('Create Conversation'), link('Bots'), link('Ask Local Plugin Bot'), link('Image Data')]],
			},
			'Ask Local Plugin Bot': { main: [[link('Submit Tool Outputs')]] },
			'Image Data': { main: [[link('To File')]] },
			'To File': { main: [[link('Ask About Image')]] },
			Questions: { main: [[link('Split Questions')]] },
			'Split Questions': { main: [[link('Ask Weather Bot')]] },
			'Ask Weather Bot': { main: [[link('Retrieve Chat')]] },
			'Create Conversation': { main: [[link('Turn 1')]] },
			'Turn 1': { main: [[link('Turn 2')]] },
			'Turn 2': { main: [[link('Non-stream')]] },
			Bots: { main: [[link('Split Bots')]] },
			'Split Bots': { main: [[link('Ask With Continue On Fail')]] },
		},
	};
}

/** A chat that fails, with Continue On Fail off: the execution must fail with Coze's code and msg. */
export function failingWorkflow(): Record<string, unknown> {
	nodeCounter = 0;
	return {
		id: 'cozeE2eFailing001',
		name: 'Coze e2e: failing chat',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			trigger(),
			coze('Ask Failing Bot', {
				resource: 'chat',
				operation: 'sendMessage',
				botId: bot(scenarios.failedChat.botId),
				userId: 'e2e-user',
				message: 'Hello',
				options: {},
			}),
		],
		connections: { 'Manual Trigger': { main: [[link('Ask Failing Bot')]] } },
	};
}

/** The demo workflow `npm start` imports. */
export function demoWorkflow(options: { credentialId?: string; credentialName?: string; botId?: string } = {}): Record<string, unknown> {
	nodeCounter = 0;
	return {
		id: options.credentialId ? 'cozeDemoRealBot01' : 'cozeDemoAskBot001',
		name: options.credentialId ? 'Ask a Coze bot (real Coze)' : 'Ask a Coze bot',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			trigger(),
			// A Chat Trigger: ask the bot from the editor's chat too. It is also what lets n8n's node panel
			// search tools from Send Message's Tools "+" (n8n's search finds AI sub-nodes only once a
			// node of its AI package is on the canvas).
			node('When chat message received', '@n8n/n8n-nodes-langchain.chatTrigger', 1.2, { public: false, options: { responseMode: 'lastNode' } }, { position: [220, 200], webhookId: `c0ze0000-de70-4000-8000-00000000c4a${options.credentialId ? '8' : '7'}` }),
			coze(
				'Coze Chat',
				{
					resource: 'chat',
					operation: 'sendMessage',
					// The emulator's bot from the list, with its name (as the bot picker shows it); a real bot by ID.
					botId: options.botId ? bot(options.botId) : { __rl: true, mode: 'list', value: scenarios.toolCall.botId, cachedResultName: 'Weather Bot (Team Space)' },
					message: "={{ $json.chatInput || 'What is the weather in Hangzhou?' }}",
					options: {},
				},
				{},
				options.credentialId,
				options.credentialName,
			),
			// What the chat shows: the bot's answer as text (a Chat Trigger answering when the last node
			// finishes shows that node's `output`; the editor's test chat does not stream).
			node('Reply', 'n8n-nodes-base.set', 3.4, { mode: 'raw', jsonOutput: '={{ JSON.stringify({ output: $json.answer }) }}', options: {} }, { position: [980, 0] }),
			...(options.credentialId
				? []
				: [
						node('About the emulator', 'n8n-nodes-base.stickyNote', 1, {
							content:
								'## Scripted answers\nThis workflow talks to the **local Coze emulator** that `npm start` runs, not to Coze. Its bots are scripted: the Weather Bot answers for the city and day you ask about (Hangzhou, Kyoto, Beijing, Shanghai, Tokyo, Paris, London, New York; today, tomorrow, the day after), and says so, starting with `[emulator]`, when you ask something else. No AI is involved. **Execute workflow** asks the question in *Coze Chat*\'s Message; **Open chat** lets you ask your own.\n\n**n8n tools**: open *Coze Chat*, pick the bot *Day Planner Bot*, click **+** under *Tools*, search `Code` and add a **Code Tool**. Rename it *Get Local Weather* (the plugin the bot asks for) and give it code such as ``return `${query}: 21°C and sunny`;``, then **Execute workflow**: the answer quotes your tool.\n\nTo use real Coze bots, start with `COZE_API_TOKEN=pat_…` or add a **Coze API** credential.',
							height: 360,
							width: 520,
						}, { position: [180, -400] }),
					]),
		],
		connections: {
			'Manual Trigger': { main: [[link('Coze Chat')]] },
			'When chat message received': { main: [[link('Coze Chat')]] },
			'Coze Chat': { main: [[link('Reply')]] },
		},
	};
}

/** Webhook (Respond: Streaming) → Coze Chat: the answer must reach the HTTP caller as it streams. */
export function streamingWebhookWorkflow(path: string, options: { id?: string; botId?: string } = {}): Record<string, unknown> {
	nodeCounter = 0;
	return {
		id: options.id ?? 'cozeE2eStreaming1',
		name: `Coze e2e: live streaming (${path})`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('Webhook', 'n8n-nodes-base.webhook', 2.1, { httpMethod: 'POST', path, responseMode: 'streaming', options: {} }, { webhookId: `c0ze0000-0000-4000-8000-${(options.id ?? 'cozeE2eStreaming1').slice(-1).padStart(12, '0')}` }),
			coze('Ask Slow Bot', {
				resource: 'chat',
				operation: 'sendMessage',
				botId: bot(options.botId ?? scenarios.slow.botId),
				userId: 'e2e-user',
				message: '={{ $json.body.message }}',
				options: {},
			}),
			node('Respond to Webhook', 'n8n-nodes-base.respondToWebhook', 1.5, {
				respondWith: 'text',
				responseBody: '={{ "FULL ANSWER: " + $json.answer }}',
				options: {},
			}),
		],
		connections: { Webhook: { main: [[link('Ask Slow Bot')]] }, 'Ask Slow Bot': { main: [[link('Respond to Webhook')]] } },
	};
}

export const OPENAI_CREDENTIAL_ID = 'openAiEmulator001';

/** An OpenAI credential pointing at the emulator's scripted chat model. */
export function openAiEmulatorCredential(baseUrl: string): Record<string, unknown> {
	return { id: OPENAI_CREDENTIAL_ID, name: 'OpenAI (emulator)', type: 'openAiApi', data: { apiKey: 'sk-emulator', url: `${baseUrl}/v1` } };
}

/** n8n's AI Agent with the Coze Chat node as a tool: the model fills the message with $fromAI. */
export function agentWorkflow(): Record<string, unknown> {
	nodeCounter = 0;
	return {
		id: 'cozeE2eAgentTool1',
		name: 'Coze e2e: AI Agent tool',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			trigger(),
			node('AI Agent', '@n8n/n8n-nodes-langchain.agent', 2.2, {
				promptType: 'define',
				text: 'What day is 2024-10-01?',
				options: {},
			}),
			node(
				'OpenAI Chat Model',
				'@n8n/n8n-nodes-langchain.lmChatOpenAi',
				1.2,
				{ model: { __rl: true, mode: 'id', value: 'gpt-4o-mini' }, options: {} },
				{ credentials: { openAiApi: { id: OPENAI_CREDENTIAL_ID, name: 'OpenAI (emulator)' } } },
			),
			node('Coze Chat Tool', 'n8n-nodes-coze.cozeChatTool', 1, {
				descriptionType: 'manual',
				toolDescription: 'Ask the Coze calendar bot a question about dates',
				resource: 'chat',
				operation: 'sendMessage',
				botId: bot(scenarios.plain.botId),
				userId: 'e2e-agent',
				message: "={{ $fromAI('message', 'The question to ask the Coze bot', 'string') }}",
				options: {},
			}, { credentials: { cozeApi: { id: CREDENTIAL_ID, name: CREDENTIAL_NAME } } }),
		],
		connections: {
			'Manual Trigger': { main: [[link('AI Agent')]] },
			'OpenAI Chat Model': { ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] },
			'Coze Chat Tool': { ai_tool: [[{ node: 'AI Agent', type: 'ai_tool', index: 0 }]] },
		},
	};
}

/** Variable → Set, then Get of the same user's values (and of another user, who keeps the defaults). */
export function variablesWorkflow(): Record<string, unknown> {
	nodeCounter = 0;
	const owner = { owner: 'bot', botId: bot(scenarios.memory.botId) };
	return {
		id: 'cozeE2eVariables1',
		name: 'Coze e2e: user variables',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			trigger(),
			coze('Set Variables', {
				resource: 'variable',
				operation: 'set',
				...owner,
				userId: 'e2e-variables-user',
				values: { entries: [{ key: 'name', value: 'Ada' }, { key: 'city', value: '={{ "Ky" + "oto" }}' }] },
			}),
			coze('Get Variables', { resource: 'variable', operation: 'get', ...owner, userId: 'e2e-variables-user', keywords: 'name,city,shoe_size' }),
			coze('Get Other User', { resource: 'variable', operation: 'get', ...owner, userId: 'e2e-someone-else', keywords: 'name,city' }),
		],
		connections: {
			'Manual Trigger': { main: [[link('Set Variables')]] },
			'Set Variables': { main: [[link('Get Variables')]] },
			'Get Variables': { main: [[link('Get Other User')]] },
		},
	};
}
