/**
 * Send Message → Options → Enable Cards: the request carries enable_card, and answer messages of
 * content_type card land in the item's `cards`, parsed with exact ids, never in `answer` nor in the
 * live stream. Without the option the bot answers in text, and the item has no `cards`.
 */
import { CARD_CONTENT, scenarios } from '../emulator/scenarios';
import { useEmulator } from './emulatorSetup';
import { runCoze, sendMessage } from './helpers';

const emulator = useEmulator();

describe('Send Message with Enable Cards', () => {
	it('sends enable_card and puts the card, parsed with its 19-digit id exact, beside the text', async () => {
		const chunks: string[] = [];
		const [item] = await runCoze(emulator, sendMessage(scenarios.cardBot.botId, { options: { enableCard: true, enableStreaming: true } }), {
			onChunk: (chunk) => chunk.type === 'item' && chunks.push(chunk.content ?? ''),
		});
		const [request] = emulator.requestsTo('/v3/chat');
		expect((request.body as { enable_card?: boolean }).enable_card).toBe(true);
		expect(item.json).toMatchObject({ status: 'completed', answer: 'Which city?', cards: [CARD_CONTENT] });
		expect((item.json.cards as Array<{ template_id: unknown }>)[0].template_id).toBe('7383997384420262952');
		expect(chunks.join('')).toBe('Which city?');
	});

	it('in non-stream mode too (read back from the message list)', async () => {
		const [item] = await runCoze(emulator, sendMessage(scenarios.cardBot.botId, { options: { enableCard: true, stream: false, pollInterval: 0.1 } }));
		expect(item.json).toMatchObject({ answer: 'Which city?', cards: [CARD_CONTENT] });
	});

	it('without it: no enable_card in the request, the answer is text and there is no cards field', async () => {
		const [item] = await runCoze(emulator, sendMessage(scenarios.cardBot.botId));
		const [request] = emulator.requestsTo('/v3/chat');
		expect(request.body).not.toHaveProperty('enable_card');
		expect(item.json.answer).toBe('Which city? 1. Hangzhou 2. Kyoto');
		expect(item.json).not.toHaveProperty('cards');
	});
});
