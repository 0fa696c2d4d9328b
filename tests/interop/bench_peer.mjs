#!/usr/bin/env node
// Bulk-transfer benchmark peer (js-libp2p, TCP + Noise + Yamux), speaking the bench protocol
// /edgevpn-bench/sink/1.0.0: the dialer writes N bytes and closes its side; the listener counts
// them and answers with the count as 8 big-endian bytes. Used by bench/run.sh.
//   node bench_peer.mjs --listen [--port N]        prints {"addr": "..."}, serves until SIGTERM / stdin EOF
//   node bench_peer.mjs --send ADDR --bytes N      prints {"bytes","seconds","MBps","cpu_seconds"}
import './node20-shim.mjs'
import { createLibp2p } from 'libp2p'
import { tcp } from '@libp2p/tcp'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { multiaddr } from '@multiformats/multiaddr'

const kProtocol = '/edgevpn-bench/sink/1.0.0'
const args = process.argv.slice(2)
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt }

const node = await createLibp2p({
  addresses: { listen: args.includes('--listen') ? [`/ip4/127.0.0.1/tcp/${opt('--port', '0')}`] : [] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()]
})
await node.start()

if (args.includes('--listen')) {
  await node.handle(kProtocol, async ({ stream }) => {
    let n = 0n
    for await (const chunk of stream.source) n += BigInt(chunk.byteLength)
    const reply = new Uint8Array(8)
    new DataView(reply.buffer).setBigUint64(0, n)
    await stream.sink([reply])
  })
  console.log(JSON.stringify({ addr: node.getMultiaddrs()[0].toString() }))
  const stop = async () => { await node.stop(); process.exit(0) }
  process.on('SIGTERM', stop)
  // stdin EOF stops the listener too, so a runner that dies takes it along (bench/run.sh).
  process.stdin.on('end', stop)
  process.stdin.resume()
} else {
  const total = Number(opt('--bytes', String(256 * 1024 * 1024)))
  const chunk = new Uint8Array(64 * 1024).fill(0x5a)
  const stream = await node.dialProtocol(multiaddr(opt('--send')), kProtocol)
  const start = process.hrtime.bigint()
  await stream.sink((async function * () {
    for (let sent = 0; sent < total; sent += chunk.length) yield chunk.subarray(0, Math.min(chunk.length, total - sent))
  })())
  let got = null
  for await (const buf of stream.source) { got = buf.subarray(); break }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  const count = got ? Number(new DataView(got.buffer, got.byteOffset, 8).getBigUint64(0)) : -1
  const cpu = process.cpuUsage()
  console.log(JSON.stringify({ bytes: count, seconds, MBps: count / seconds / 1e6, cpu_seconds: (cpu.user + cpu.system) / 1e6 }))
  await node.stop()
  process.exit(count === total ? 0 : 1)
}
