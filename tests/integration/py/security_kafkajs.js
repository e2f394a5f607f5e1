// kafkajs over SSL / SASL_SSL / SASL_PLAINTEXT against Sluice.
// usage: node security_kafkajs.js KAFKAJS_DIR BOOTSTRAP PROTOCOL CA MECHANISM USER PASSWORD TOPIC
// Prints one JSON line: {"ok": true, "values": [...]} or {"ok": false, "type": ..., "text": ...}.
const fs = require('fs');
const path = require('path');
const [dir, bootstrap, protocol, ca, mechanism, user, password, topic] = process.argv.slice(2);
const { Kafka, logLevel } = require(path.join(dir, 'node_modules', 'kafkajs'));

async function main() {
  const config = {
    clientId: 'sluice-test', brokers: [bootstrap], logLevel: logLevel.NOTHING,
    connectionTimeout: 10000, authenticationTimeout: 10000, retry: { retries: 0 },
  };
  if (protocol === 'SSL' || protocol === 'SASL_SSL') config.ssl = { ca: [fs.readFileSync(ca, 'utf-8')] };
  if (mechanism !== '-') config.sasl = { mechanism: mechanism.toLowerCase().replace(/-(\d+)$/, '-$1'), username: user, password };
  const kafka = new Kafka(config);
  const producer = kafka.producer();
  try {
    await producer.connect();
  } catch (e) {
    return { ok: false, type: e.name, text: e.message };
  }
  await producer.send({ topic, messages: [0, 1, 2, 3, 4].map((i) => ({ value: 'v' + i })) });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: 'g-' + topic });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(), 30000);
    consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value.toString());
        if (values.length === 5) { clearTimeout(timer); resolve(); }
      },
    }).catch(reject);
  });
  await consumer.disconnect();
  return { ok: true, values };
}

main().then((r) => { console.log(JSON.stringify(r)); process.exit(0); },
  (e) => { console.log(JSON.stringify({ ok: false, type: 'bug:' + e.name, text: e.message })); process.exit(3); });
