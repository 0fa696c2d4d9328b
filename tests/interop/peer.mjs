#!/usr/bin/env node
// js-libp2p interop peer: one libp2p node per process, driven by JSON lines.
//   stdout: one JSON object per line (first line: {"event":"ready",...})
//   stdin : one command per line, either {"cmd":"dial","addr":"/ip4/..."} or ["dial","/ip4/..."]
//   stderr: diagnostics only (set DEBUG=libp2p:* for js-libp2p's own logs)
// Usage: node peer.mjs [--port N] [--seed STR] [--host 127.0.0.1]
//          [--dht-prefix /myapp | --dht-protocol /myapp/kad/1.0.0] [--dht-client] [--no-dht]
//          [--mdns] [--mdns-interval MS] [--relay-server] [--relay-listen MULTIADDR]...
//          [--relay-discover] [--sign-policy StrictSign|StrictNoSign] [--dht]
//        --dht turns the DHT back on after an earlier --no-dht (js_peer.cpp always passes
//        --no-dht first, so DHT interop tests append --dht).
//        node peer.mjs PORT [SEED]       (positional form)
// See README.md for the command and event reference.
// EdgeVPN ledger commands (edgevpn_sealer.mjs; `crypto` = the token's otp.crypto block
// {key, interval, length}, `room` = its room secret, `time` = unix seconds, default now):
//   pubsubProtocols {peer?}          -> peers: [{peer, protocols}] pubsub protocols of open streams
//   edgevpnDerive {crypto, room, time?} -> topic, sealKey, publicTopic
//   edgevpnPublish {crypto, room, time?, topic?, sealKey?, index, timestamp?, prevHash?, entries}
//     publishes a Go-format sealed block; entries: [{bucket, key, value (JSON text), signed?,
//     owner?, version?, updatedAt?, deleted?, badSig?}]; signed entries are signed with this
//     node's key (Owner = our peer ID unless `owner` forges it; badSig flips a signature bit)
//     -> topic, sealKey, json, hash, recipients
//   edgevpnWatch {crypto, room, time?} -> subscribes to the ledger topic; every message on it
//     then yields {"event":"edgevpn:block", topic, from, ok, stage?, error?, index, hash, json,
//     entries: [{bucket, key, value, encoding, owner, version, updatedAt, deleted, sigValid}]}
import './node20-shim.mjs' // must stay the first import
import { createHash, randomBytes } from 'node:crypto'
import { createInterface } from 'node:readline'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { ping } from '@libp2p/ping'
import { gossipsub } from '@chainsafe/libp2p-gossipsub'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { mdns } from '@libp2p/mdns'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import { sha256 } from 'multiformats/hashes/sha2'
import * as edgevpn from './edgevpn_sealer.mjs'

function usage (msg) {
  process.stderr.write(`${msg}\nsee the header of peer.mjs for usage\n`)
  process.exit(2)
}

function parseArgs (argv) {
  const o = { port: 0, seed: undefined, host: '127.0.0.1', dhtProtocol: '/ipfs/kad/1.0.0', dhtClient: false, dht: true, mdns: false, mdnsInterval: 1000, relayServer: false, relayListen: [], relayDiscover: false, signPolicy: 'StrictSign' }
  const positional = []
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const val = () => { if (i + 1 >= argv.length) usage(`missing value for ${a}`); return argv[++i] }
    if (a === '--port') o.port = Number(val())
    else if (a === '--seed') o.seed = val()
    else if (a === '--host') o.host = val()
    else if (a === '--dht-prefix') o.dhtProtocol = `${val().replace(/\/$/, '')}/kad/1.0.0`
    else if (a === '--dht-protocol') o.dhtProtocol = val()
    else if (a === '--dht-client') o.dhtClient = true
    else if (a === '--no-dht') o.dht = false
    else if (a === '--dht') o.dht = true
    else if (a === '--mdns') o.mdns = true
    else if (a === '--mdns-interval') o.mdnsInterval = Number(val())
    else if (a === '--relay-server') o.relayServer = true
    else if (a === '--relay-listen') o.relayListen.push(val())
    else if (a === '--relay-discover') o.relayDiscover = true
    else if (a === '--sign-policy') o.signPolicy = val()
    else if (a.startsWith('--')) usage(`unknown option ${a}`)
    else positional.push(a)
  }
  if (positional[0] != null) o.port = Number(positional[0])
  if (positional[1] != null) o.seed = positional[1]
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) usage(`bad port ${o.port}`)
  return o
}

const args = parseArgs(process.argv.slice(2))
const out = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const errStr = (err) => String(err?.message ?? err)
const b64 = (u8) => Buffer.from(u8).toString('base64')
const hex = (u8) => Buffer.from(u8).toString('hex')
const str = (x) => x?.toString()
// a target is a multiaddr (starts with '/') or a peer id string
const toTarget = (s) => {
  if (typeof s !== 'string' || s === '') throw new Error('missing peer id or multiaddr')
  return s.startsWith('/') ? multiaddr(s) : peerIdFromString(s)
}
// DHT content key: a CID string is used as is; anything else becomes CIDv1(raw, sha256(utf8(key)))
async function toCid (key) {
  if (typeof key !== 'string' || key === '') throw new Error('missing key')
  try { return CID.parse(key) } catch {}
  return CID.createV1(raw.code, await sha256.digest(new TextEncoder().encode(key)))
}
const cidInfo = (cid) => ({ cid: cid.toString(), multihash: hex(cid.multihash.bytes) })
const peerInfoJson = (p) => ({ peer: p.id.toString(), addrs: [...new Set(p.multiaddrs.map(String))] })

// Identity: Ed25519 key whose 32-byte seed is sha256(utf8(--seed)). Without --seed the key is random.
const seed = args.seed != null ? createHash('sha256').update(args.seed, 'utf8').digest() : randomBytes(32)
const privateKey = await generateKeyPairFromSeed('Ed25519', new Uint8Array(seed))

const listen = [`/ip4/${args.host}/tcp/${args.port}`]
for (const r of args.relayListen) listen.push(r.endsWith('/p2p-circuit') ? r : `${r}/p2p-circuit`)
if (args.relayDiscover) listen.push('/p2p-circuit')

const services = {
  identify: identify(),
  // the DHT pings new routing-table contacts too, so allow more than the default 1 ping stream per connection
  ping: ping({ maxInboundStreams: 32, maxOutboundStreams: 32 }),
  pubsub: gossipsub({ allowPublishToZeroTopicPeers: true, emitSelf: false, globalSignaturePolicy: args.signPolicy }),
}
if (args.dht) {
  services.dht = kadDHT({
    protocol: args.dhtProtocol,
    clientMode: args.dhtClient, // false = server mode: answers DHT queries and stores provider records
    peerInfoMapper: passthroughMapper // keep loopback/private addresses (the default mapper strips them)
  })
}
if (args.relayServer) services.relay = circuitRelayServer()

const node = await createLibp2p({
  privateKey,
  addresses: { listen },
  transports: [tcp(), circuitRelayTransport()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  peerDiscovery: args.mdns ? [mdns({ interval: args.mdnsInterval })] : [],
  services
})

let started = false
let stopping = false
const connJson = (c) => ({ peer: str(c.remotePeer), remoteAddr: str(c.remoteAddr), direction: c.direction, encryption: c.encryption, multiplexer: c.multiplexer, limited: c.limits != null })
node.addEventListener('peer:connect', (e) => out({ event: 'peer:connect', peer: str(e.detail) }))
node.addEventListener('peer:disconnect', (e) => out({ event: 'peer:disconnect', peer: str(e.detail) }))
node.addEventListener('connection:open', (e) => out({ event: 'connection:open', ...connJson(e.detail) }))
node.addEventListener('connection:close', (e) => out({ event: 'connection:close', ...connJson(e.detail) }))
node.addEventListener('peer:identify', (e) => out({ event: 'peer:identify', peer: str(e.detail.peerId), agentVersion: e.detail.agentVersion, protocolVersion: e.detail.protocolVersion, protocols: e.detail.protocols, listenAddrs: e.detail.listenAddrs.map(String) }))
let lastAddrs = ''
node.addEventListener('self:peer:update', () => { // e.g. a relay reservation added a /p2p-circuit address
  const addrs = node.getMultiaddrs().map(String)
  if (!started || stopping || JSON.stringify(addrs) === lastAddrs) return
  lastAddrs = JSON.stringify(addrs)
  out({ event: 'addrs', addrs })
})
node.addEventListener('peer:discovery', (e) => {
  out({ event: 'peer:discovery', peer: str(e.detail.id), addrs: e.detail.multiaddrs.map(String) })
  // libp2p does not auto-dial discovered peers unless below its connection minimum, so dial mDNS finds here
  if (args.mdns && !node.getPeers().some(p => p.equals(e.detail.id))) {
    node.dial(e.detail.id).catch(err => out({ event: 'error', source: 'mdns-dial', peer: str(e.detail.id), error: errStr(err) }))
  }
})
node.services.pubsub.addEventListener('message', (e) => {
  const m = e.detail
  out({ event: 'message', topic: m.topic, from: m.type === 'signed' ? str(m.from) : null, seqno: m.type === 'signed' ? str(m.sequenceNumber) : null, data: b64(m.data) })
})
node.services.pubsub.addEventListener('subscription-change', (e) => {
  out({ event: 'subscription-change', peer: str(e.detail.peerId), subscriptions: e.detail.subscriptions.map(s => ({ topic: s.topic, subscribe: s.subscribe })) })
})
// routing-table membership (internal API of @libp2p/kad-dht; guarded in case it changes)
node.services.dht?.routingTable?.addEventListener?.('peer:add', (e) => out({ event: 'dht:peer:add', peer: str(e.detail) }))
node.services.dht?.routingTable?.addEventListener?.('peer:remove', (e) => out({ event: 'dht:peer:remove', peer: str(e.detail) }))

await node.start()
started = true
lastAddrs = JSON.stringify(node.getMultiaddrs().map(String))
out({ event: 'ready', peerId: str(node.peerId), publicKey: b64(node.peerId.publicKey.raw), addrs: node.getMultiaddrs().map(String), dhtProtocol: args.dht ? args.dhtProtocol : null, protocols: node.getProtocols() })

const echoStreamLimit = 1024
async function echoClient (target, protocol, data, chunk = 64 * 1024) {
  const start = Date.now()
  const stream = await node.dialProtocol(toTarget(target), protocol, { runOnLimitedConnection: true, maxOutboundStreams: echoStreamLimit })
  const sinkP = stream.sink((async function * () {
    for (let i = 0; i < data.length; i += chunk) yield data.subarray(i, i + chunk)
  })())
  const parts = []; let n = 0
  for await (const buf of stream.source) {
    const u = buf.subarray(); parts.push(u); n += u.length
    if (n >= data.length) break
  }
  await sinkP
  await stream.close().catch(() => {})
  const got = Buffer.concat(parts)
  return { bytes: n, equal: Buffer.compare(got, Buffer.from(data)) === 0, ms: Date.now() - start }
}

// EdgeVPN ledger helpers (see the header): derived topic/key, and the watched topics' keys.
function edgevpnDerived (c) {
  if (c.crypto == null || c.room == null) throw new Error('missing crypto or room')
  const t = c.time ?? Math.floor(Date.now() / 1000)
  return { topic: edgevpn.ledgerTopic(c.room, c.crypto, t), sealKey: edgevpn.sealKey(c.crypto, t), publicTopic: edgevpn.publicTopic(c.room, c.crypto, t) }
}
const edgevpnWatches = new Map() // topic -> seal key
node.services.pubsub.addEventListener('message', async (e) => {
  const m = e.detail
  const key = edgevpnWatches.get(m.topic)
  if (key == null) return
  const from = m.type === 'signed' ? str(m.from) : null
  const d = edgevpn.decodeMessage(m.data, key)
  if (!d.ok) { out({ event: 'edgevpn:block', topic: m.topic, from, ok: false, stage: d.stage, error: d.error }); return }
  const entries = []
  for (const [bucket, keys] of Object.entries(d.block.storage)) {
    for (const [k, en] of Object.entries(keys)) {
      entries.push({ bucket, key: k, value: en.value, encoding: en.encoding, owner: en.owner, version: String(en.version), updatedAt: en.updatedAt, deleted: en.deleted, sigValid: en.encoding === 'signed' ? await edgevpn.verifyEntry(bucket, k, en) : null })
    }
  }
  out({ event: 'edgevpn:block', topic: m.topic, from, ok: true, index: d.block.index, hash: d.block.hash, json: d.json, entries })
})

const needDht = () => { if (node.services.dht == null) throw new Error('DHT disabled (--no-dht)'); return node.services.dht }

// Positional form: ["cmd", arg1, arg2, ...] is mapped to named fields with this table.
const positionalNames = {
  dial: ['addr'], hangup: ['peer'], ping: ['peer'], listen: ['addr'],
  subscribe: ['topic'], unsubscribe: ['topic'], publish: ['topic', 'data'], meshPeers: ['topic'],
  provide: ['key'], findProviders: ['key', 'timeoutMs'], findPeer: ['peer'], closestPeers: ['key'],
  'echo-server': ['protocol'], echo: ['peer', 'protocol', 'size']
}

const handlers = {
  async dial (c) { const conn = await node.dial(toTarget(c.addr ?? c.peer)); return connJson(conn) },
  async hangup (c) { await node.hangUp(toTarget(c.peer ?? c.addr)); return {} },
  async peers () { return { peers: node.getPeers().map(String), connections: node.getConnections().map(connJson) } },
  async addrs () { return { addrs: node.getMultiaddrs().map(String) } },
  // listen on an extra address at run time, e.g. "<relay-addr>/p2p-circuit" to reserve a slot on a relay (internal API)
  async listen (c) {
    await node.components.transportManager.listen([multiaddr(c.addr)])
    return { addrs: node.getMultiaddrs().map(String) }
  },
  async subscribe (c) { node.services.pubsub.subscribe(c.topic); return {} },
  async unsubscribe (c) { node.services.pubsub.unsubscribe(c.topic); return {} },
  async meshPeers (c) { return { peers: node.services.pubsub.getMeshPeers(c.topic).map(String), topicPeers: node.services.pubsub.getSubscribers(c.topic).map(String) } },
  async publish (c) {
    const r = await node.services.pubsub.publish(c.topic, Buffer.from(c.data ?? '', 'base64'))
    return { recipients: r.recipients.map(String) }
  },
  async ping (c) { return { rtt: await node.services.ping.ping(toTarget(c.peer ?? c.addr), { signal: AbortSignal.timeout(c.timeoutMs ?? 10000) }) } },
  // NB: js DHT queries fail/stall while the routing table is empty: wait for a dht:peer:add event (or poll dhtPeers) first
  async provide (c) {
    const cid = await toCid(c.key ?? c.cid)
    await node.contentRouting.provide(cid, { signal: AbortSignal.timeout(c.timeoutMs ?? 30000) })
    return cidInfo(cid)
  },
  async findProviders (c) {
    const cid = await toCid(c.key ?? c.cid)
    const signal = AbortSignal.timeout(Number(c.timeoutMs ?? 10000))
    const providers = []
    try {
      for await (const p of node.contentRouting.findProviders(cid, { signal })) {
        const info = peerInfoJson(p)
        providers.push(info)
        out({ event: 'provider', key: c.key ?? c.cid, ...cidInfo(cid), ...info })
        if (c.all !== true) break // default: stop at the first provider
      }
    } catch (err) { if (providers.length === 0) throw err }
    return { ...cidInfo(cid), providers }
  },
  async findPeer (c) { // FIND_NODE walk for a peer id (answered locally if already known)
    const p = await node.peerRouting.findPeer(peerIdFromString(c.peer), { signal: AbortSignal.timeout(c.timeoutMs ?? 10000) })
    return peerInfoJson(p)
  },
  async closestPeers (c) { // raw FIND_NODE query; key = peer id (its multihash bytes) or any utf8 string
    let key
    try { key = peerIdFromString(c.key).toMultihash().bytes } catch { key = new TextEncoder().encode(c.key) }
    const peers = []
    for await (const e of needDht().getClosestPeers(key, { signal: AbortSignal.timeout(c.timeoutMs ?? 10000) })) {
      if (e.name === 'FINAL_PEER') peers.push(peerInfoJson(e.peer))
    }
    return { key: hex(key), peers }
  },
  async dhtPeers () {
    const rt = needDht().routingTable
    return { size: rt.size, peers: [...(rt.kb?.toIterable?.() ?? [])].map(x => x.peerId.toString()) }
  },
  async 'echo-server' (c) {
    // stream limits well above js-libp2p's defaults (32 inbound / 64 outbound per protocol and
    // connection), so tests can run many concurrent echo streams
    await node.handle(c.protocol, ({ stream }) => {
      stream.sink(stream.source).catch(err => out({ event: 'error', source: 'echo-server', error: errStr(err) }))
    }, { runOnLimitedConnection: true, maxInboundStreams: echoStreamLimit, maxOutboundStreams: echoStreamLimit })
    return { protocol: c.protocol }
  },
  async echo (c) { // send c.data (base64) or c.size random bytes over c.protocol and check they come back intact
    const data = c.data != null ? Buffer.from(c.data, 'base64') : randomBytes(Number(c.size ?? 1024))
    return await echoClient(c.peer ?? c.addr, c.protocol, new Uint8Array(data))
  },
  async pubsubProtocols (c) { // pubsub protocols negotiated on the open streams, per peer
    const peers = []
    for (const conn of node.getConnections(c.peer != null ? peerIdFromString(c.peer) : undefined)) {
      const protocols = conn.streams.map(s => s.protocol).filter(p => /^\/(meshsub|floodsub)\//.test(p ?? ''))
      peers.push({ peer: str(conn.remotePeer), protocols })
    }
    return { peers }
  },
  async edgevpnDerive (c) { return edgevpnDerived(c) },
  async edgevpnPublish (c) {
    const derived = edgevpnDerived(c)
    const topic = c.topic ?? derived.topic
    const key = c.sealKey ?? derived.sealKey
    const storage = {}
    for (const e of c.entries ?? []) {
      let entry = edgevpn.legacyEntry(e.value)
      if (e.signed ?? c.signed) {
        entry = await edgevpn.signedEntry(e.bucket, e.key, e.value, privateKey, e.owner ?? str(node.peerId), e)
        if (e.badSig) entry.sig[0] ^= 1
      }
      ;(storage[e.bucket] ??= {})[e.key] = entry
    }
    const block = { index: c.index ?? 1, timestamp: c.timestamp ?? edgevpn.goUtcTimeString(), storage, prevHash: c.prevHash ?? edgevpn.kGenesisHash }
    block.hash = edgevpn.blockHash(block)
    const r = await node.services.pubsub.publish(topic, edgevpn.encodeMessage(block, key))
    return { topic, sealKey: key, json: edgevpn.encodeBlock(block), hash: block.hash, recipients: r.recipients.map(String) }
  },
  async edgevpnWatch (c) {
    const derived = edgevpnDerived(c)
    edgevpnWatches.set(derived.topic, derived.sealKey)
    node.services.pubsub.subscribe(derived.topic)
    return derived
  },
  async quit () { setImmediate(shutdown); return {} }
}

// ---------------------------------------------------------------------------------------------
// EdgeVPN services and files (services_test.cpp): Go EdgeVPN's raw stream protocols, driven as a
// Go node would (spec 9: /edgevpn/service/0.1 carries raw bytes both ways, /edgevpn/file/0.1 the
// raw file bytes then a close; neither has a header, a name or a length).
//   rawExchange {peer, protocol, data? (base64) | size?, timeoutMs?} opens `protocol`, writes
//     the bytes, closes its write side and reads until the far end closes -> {sent, sentSha256,
//     received, receivedSha256, head (base64 of the first 64 bytes received), reset, error?};
//     reset = the stream was refused, reset or failed before the far end closed it cleanly
//   serveFile {protocol, size, seed?} -> {size, sha256}: answers every inbound stream of
//     `protocol` with `size` bytes (sha256 counter stream of `seed`) then closes, as Go's
//     file-send; each stream served yields {"event":"served", protocol, peer, bytes}
const sha256Hex = (u8) => createHash('sha256').update(u8).digest('hex')
function seededBytes (size, seed) {
  const out = Buffer.alloc(size)
  for (let offset = 0, counter = 0; offset < size; counter++) {
    offset += createHash('sha256').update(`${seed}:${counter}`).digest().copy(out, offset)
  }
  return out
}
const serviceHandlers = {
  async rawExchange (c) {
    const data = c.data != null ? Buffer.from(c.data, 'base64') : randomBytes(Number(c.size ?? 0))
    const signal = AbortSignal.timeout(Number(c.timeoutMs ?? 30000))
    const result = { sent: data.length, sentSha256: sha256Hex(data), received: 0, receivedSha256: '', head: '', reset: false }
    const parts = []
    let stream
    try {
      stream = await node.dialProtocol(toTarget(c.peer), c.protocol, { signal })
      const sink = stream.sink((async function * () {
        for (let i = 0; i < data.length; i += 64 * 1024) yield data.subarray(i, i + 64 * 1024)
      })())
      for await (const chunk of stream.source) {
        const u = chunk.subarray(); parts.push(u); result.received += u.length
      }
      await sink
      if (stream.status === 'reset' || stream.status === 'aborted') throw new Error(`stream ${stream.status}`)
    } catch (err) {
      result.reset = true
      result.error = errStr(err)
      stream?.abort?.(err)
    }
    const got = Buffer.concat(parts)
    result.receivedSha256 = sha256Hex(got)
    result.head = b64(got.subarray(0, 64))
    return result
  },
  async serveFile (c) {
    const body = seededBytes(Number(c.size ?? 0), c.seed ?? 'edgevpn-file')
    await node.handle(c.protocol, async ({ stream, connection }) => {
      try {
        await stream.sink((async function * () {
          for (let i = 0; i < body.length; i += 64 * 1024) yield body.subarray(i, i + 64 * 1024)
        })())
        await stream.close()
        out({ event: 'served', protocol: c.protocol, peer: str(connection.remotePeer), bytes: body.length })
      } catch (err) {
        out({ event: 'error', source: 'serveFile', error: errStr(err) })
      }
    }, { runOnLimitedConnection: true })
    return { size: body.length, sha256: sha256Hex(body) }
  }
}
Object.assign(handlers, serviceHandlers)
// --------------------------------------------------------------------- end of services and files

async function shutdown () {
  if (stopping) return
  stopping = true
  const force = setTimeout(() => process.exit(0), 5000)
  try { await node.stop() } catch (err) { process.stderr.write(`stop: ${errStr(err)}\n`) }
  clearTimeout(force)
  process.stdout.write(JSON.stringify({ event: 'stopped' }) + '\n', () => process.exit(0))
}

function parseCommand (line) {
  const v = JSON.parse(line)
  if (Array.isArray(v)) {
    const [cmd, ...rest] = v
    const c = { cmd }
    ;(positionalNames[cmd] ?? []).forEach((name, i) => { if (rest[i] !== undefined) c[name] = rest[i] })
    return c
  }
  if (v == null || typeof v !== 'object') throw new Error('command must be a JSON object or array')
  return v
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', async (line) => {
  if (line.trim() === '' || stopping) return
  let c
  try { c = parseCommand(line) } catch (err) { out({ event: 'error', source: 'stdin', error: `bad command: ${errStr(err)}`, line }); return }
  const h = Object.hasOwn(handlers, c.cmd) ? handlers[c.cmd] : undefined
  if (h == null) { out({ event: 'result', id: c.id, cmd: c.cmd, ok: false, error: 'unknown cmd' }); return }
  try {
    const res = await h(c)
    out({ event: 'result', id: c.id, cmd: c.cmd, ok: true, ...res })
  } catch (err) {
    out({ event: 'result', id: c.id, cmd: c.cmd, ok: false, error: errStr(err) })
  }
})
rl.on('close', shutdown) // stdin EOF
process.on('SIGINT', shutdown)
process.on('SIGTERM', shutdown)
process.on('unhandledRejection', (err) => out({ event: 'error', source: 'unhandledRejection', error: errStr(err) }))
