// Runs every call of the official SDKs that maps to an endpoint the gateway serves, against GATEWAY_URL with
// GATEWAY_KEY, and prints one JSON line per call: {"sdk","call","ok","detail"}. A call is ok when it succeeds and its
// result parses into the SDK's typed objects: the Mistral SDK marks a shape it cannot parse with isUnknown.
import { Mistral } from "@mistralai/mistralai";
import OpenAI, { toFile } from "openai";

const url = process.env.GATEWAY_URL;
const key = process.env.GATEWAY_KEY;
// The SDKs on their defaults, as their users construct them: only where to go and with which key.
const mistral = new Mistral({ serverURL: url, apiKey: key });
const openai = new OpenAI({ baseURL: url + "/v1", apiKey: key });
/** The Mistral SDK's vector for "a", to which the OpenAI SDK's must decode (float32 precision). */
let vectorOfA;
const user = [{ role: "user", content: "hello" }];

/** Paths to every value the SDK could not type; empty when everything parsed. */
function unknowns(value, path = "$", seen = new Set()) {
  if (value === null || typeof value !== "object" || seen.has(value)) return [];
  seen.add(value);
  const found = value.isUnknown === true ? [path] : [];
  for (const [name, child] of Object.entries(value)) {
    if (name !== "raw") found.push(...unknowns(child, path + "." + name, seen));
  }
  return found;
}

async function collect(stream) {
  const events = [];
  for await (const event of stream) events.push(event);
  return events;
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function sameVector(vector, format) {
  check(vectorOfA && vector.length === vectorOfA.length, format + ": " + vector.length + " values");
  const wrong = vector.findIndex((value, i) => Math.fround(value) !== Math.fround(vectorOfA[i]));
  check(wrong < 0, format + ": value " + wrong + " is " + vector[wrong] + ", Mistral's SDK read " + vectorOfA[wrong]);
}

const calls = [
  ["mistral", "chat.complete", async () => {
    const r = await mistral.chat.complete({ model: "mistral-small-2506", messages: user });
    check(r.choices[0].message.content === "Echo: hello", "content " + r.choices[0].message.content);
    return r;
  }],
  ["mistral", "chat.stream", async () => {
    const events = await collect(await mistral.chat.stream({ model: "mistral-small-2506", messages: user }));
    check(events.length > 1 && events.at(-1).data.usage, "events " + events.length);
    return events;
  }],
  ["mistral", "chat.complete(cached)", async () => {
    const ask = { model: "mistral-small-2506", temperature: 0, messages: [{ role: "user", content: "cache mistral" }] };
    const first = await mistral.chat.complete(ask);
    const second = await mistral.chat.complete(ask);
    check(second.id === first.id && second.choices[0].message.content === first.choices[0].message.content,
      "ids " + first.id + " / " + second.id);
    const events = await collect(await mistral.chat.stream(ask));
    check(events[0].data.id === first.id, "stream id " + events[0].data.id);
    check(events.map(e => e.data.choices[0]?.delta?.content ?? "").join("") === first.choices[0].message.content,
      "replayed content");
    check(events.at(-1).data.usage && events.at(-1).data.usage.totalTokens === first.usage.totalTokens,
      "replayed usage");
    return [first, second, events];
  }],
  ["mistral", "models.list", async () => {
    const r = await mistral.models.list();
    check(r.data.length > 0 && r.data.every(card => card.type === "base" && card.capabilities), "cards");
    return r;
  }],
  ["mistral", "models.retrieve", async () => {
    const r = await mistral.models.retrieve({ modelId: "codestral-2508" });
    check(r.type === "base" && r.capabilities.completionFim === true, "card " + JSON.stringify(r));
    return r;
  }],
  ["mistral", "embeddings.create", async () => {
    const r = await mistral.embeddings.create({ model: "mistral-embed", inputs: ["a", "b"] });
    check(r.data.length === 2 && r.data.every(item => item.embedding.length === 1024), "embeddings");
    vectorOfA = r.data[0].embedding;
    return r;
  }],
  ["mistral", "fim.complete", async () => {
    const r = await mistral.fim.complete({ model: "codestral-2508", prompt: "def add(a, b):", suffix: "return c" });
    check(r.choices[0].message.content.startsWith("Echo:"), "fim content");
    return r;
  }],
  ["mistral", "fim.stream", async () => {
    const events = await collect(await mistral.fim.stream({ model: "codestral-2508", prompt: "def f():" }));
    check(events.length > 1 && events.at(-1).data.usage, "fim events " + events.length);
    return events;
  }],
  ["mistral", "agents.complete", async () => {
    const r = await mistral.agents.complete({ agentId: "ag:sdk:1", messages: user });
    check(r.choices[0].message.content === "Echo: hello", "agent content");
    return r;
  }],
  ["mistral", "agents.stream", async () => {
    const events = await collect(await mistral.agents.stream({ agentId: "ag:sdk:1", messages: user }));
    check(events.length > 1, "agent events " + events.length);
    return events;
  }],
  ["mistral", "classifiers.moderate", async () => {
    const r = await mistral.classifiers.moderate({ model: "mistral-moderation-2411", inputs: ["I will kill it", "hi"] });
    check(r.results.length === 2 && r.results[0].categories.violence_and_threats === true, "moderation");
    return r;
  }],
  ["mistral", "classifiers.moderateChat", async () => {
    const r = await mistral.classifiers.moderateChat({ model: "mistral-moderation-2411", inputs: user });
    check(r.results.length === 1, "chat moderation");
    return r;
  }],
  ["mistral", "classifiers.classify", async () => {
    const r = await mistral.classifiers.classify({ model: "mistral-moderation-2411", inputs: ["good", "bad"] });
    check(r.results.length === 2, "classification");
    return r;
  }],
  ["mistral", "classifiers.classifyChat", async () => {
    const r = await mistral.classifiers.classifyChat({ model: "mistral-moderation-2411", input: { messages: user } });
    check(r.results.length === 1, "chat classification");
    return r;
  }],
  ["mistral", "ocr.process", async () => {
    const r = await mistral.ocr.process({ model: "mistral-ocr-2505",
      document: { type: "document_url", documentUrl: "https://example.com/invoice.pdf" } });
    check(r.pages.length === 1 && r.usageInfo.pagesProcessed === 1, "ocr");
    return r;
  }],
  ["mistral", "audio.transcriptions.complete", async () => {
    // The SDK sends the model before the file: the gateway streams the audio to Mistral.
    const r = await mistral.audio.transcriptions.complete({ model: "voxtral-mini-2507",
      file: { fileName: "sdk.wav", content: new Uint8Array(64000) } });
    check(r.text.includes("sdk.wav (64000 bytes)") && r.usage.promptAudioSeconds === 2, "transcription " + JSON.stringify(r));
    return r;
  }],
  ["mistral", "audio.transcriptions.complete(segments)", async () => {
    // The one option that changes the answer's shape: segments with their timestamps.
    const r = await mistral.audio.transcriptions.complete({ model: "voxtral-mini-2507",
      file: { fileName: "sdk.wav", content: new Uint8Array(64000) }, timestampGranularities: ["segment"] });
    check(r.segments.length === 1, "segments " + JSON.stringify(r));
    return r;
  }],
  ["openai", "chat.completions.create", async () => {
    const r = await openai.chat.completions.create({ model: "mistral-small-2506", messages: user });
    check(r.choices[0].message.content === "Echo: hello", "content");
    return r;
  }],
  ["openai", "chat.completions.create(stream)", async () => {
    const chunks = await collect(await openai.chat.completions.create(
      { model: "mistral-small-2506", messages: user, stream: true }));
    check(chunks.map(c => c.choices[0]?.delta?.content ?? "").join("") === "Echo: hello", "streamed content");
    return chunks;
  }],
  ["openai", "chat.completions.create(cached)", async () => {
    // GATEWAY_KEY's requests use the gateway's cache: the simulator gives every answer a new id, so an equal id
    // proves the second answer (and the stream) came from the cache, and the SDK typed it.
    const ask = { model: "mistral-small-2506", temperature: 0, messages: [{ role: "user", content: "cache openai" }] };
    const first = await openai.chat.completions.create(ask);
    const second = await openai.chat.completions.create(ask);
    check(second.id === first.id && second.choices[0].message.content === first.choices[0].message.content,
      "ids " + first.id + " / " + second.id);
    const chunks = await collect(await openai.chat.completions.create({ ...ask, stream: true }));
    check(chunks[0].id === first.id, "stream id " + chunks[0].id);
    check(chunks.map(c => c.choices[0]?.delta?.content ?? "").join("") === first.choices[0].message.content,
      "replayed content");
    check(chunks.at(-1).usage && chunks.at(-1).usage.total_tokens === first.usage.total_tokens, "replayed usage");
    return [first, second, chunks];
  }],
  ["openai", "models.list", async () => {
    const models = [];
    for await (const model of openai.models.list()) models.push(model);
    check(models.length > 0 && models.every(m => m.object === "model" && m.owned_by), "models");
    return models;
  }],
  ["openai", "models.retrieve", async () => {
    const r = await openai.models.retrieve("mistral-small-2506");
    check(r.id === "mistral-small-2506", "model");
    return r;
  }],
  ["openai", "embeddings.create", async () => {
    // On its defaults the SDK asks for base64 and decodes little-endian float32 itself.
    const r = await openai.embeddings.create({ model: "mistral-embed", input: ["a"] });
    sameVector(r.data[0].embedding, "base64 (the default)");
    return r;
  }],
  ["openai", "embeddings.create(float)", async () => {
    const r = await openai.embeddings.create({ model: "mistral-embed", input: ["a"], encoding_format: "float" });
    sameVector(r.data[0].embedding, "float");
    return r;
  }],
  ["openai", "audio.transcriptions.create", async () => {
    // Written file first, as OpenAI's examples do, the form sends the file before the model: the gateway holds it
    // until the model is read.
    const r = await openai.audio.transcriptions.create({ file: await toFile(new Uint8Array(64000), "openai.wav"),
      model: "voxtral-mini-2507" });
    check(r.text.includes("openai.wav (64000 bytes)"), "transcription " + JSON.stringify(r));
    return r;
  }],
];

let failed = 0;
for (const [sdk, call, run] of calls) {
  try {
    const result = await run();
    const unknown = unknowns(result);
    const ok = unknown.length === 0;
    failed += ok ? 0 : 1;
    console.log(JSON.stringify({ sdk, call, ok, detail: ok ? "parsed" : "isUnknown at " + unknown.join(", ") }));
  } catch (error) {
    failed++;
    console.log(JSON.stringify({ sdk, call, ok: false, detail: String(error?.message ?? error).slice(0, 500) }));
  }
}
process.exit(failed === 0 ? 0 : 1);
