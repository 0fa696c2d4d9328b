// An independent js implementation of EdgeVPN's (Go) ledger wire format, written from
// shared/reference/edgevpn-spec.md sections 3-6 and 16 (not from the C++ code): the TOTP
// derivations of seal key and topic, the AES-256-GCM sealer, gzip of the block JSON, the envelope,
// Go-format blocks with both entry encodings (legacy double-encoded strings; v0.35 signed entries)
// and the canonical signing bytes. `node edgevpn_sealer.mjs --selftest` checks the spec's vectors.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto'
import { gunzipSync, gzipSync } from 'node:zlib'
import { peerIdFromString } from '@libp2p/peer-id'

// ---- spec 3: OTP derivations --------------------------------------------------------------

// TOTP(key, digits, period): base64(HMAC-SHA256(utf8(key), u64be(floor(t / period)))) prefix.
export function totp (key, digits, period, unixSeconds) {
  if (!(period > 0)) throw new Error('TOTP period must be positive (Go panics on 0)')
  const counter = BigInt(Math.floor(unixSeconds / period))
  const message = Buffer.alloc(8)
  message.writeBigUInt64BE(counter)
  const code = createHmac('sha256', Buffer.from(key, 'utf8')).update(message).digest('base64')
  return code.slice(0, digits > 0 ? digits : 6)
}

export const md5hex = (s) => createHash('md5').update(Buffer.from(s, 'utf8')).digest('hex')

const nowSeconds = () => Math.floor(Date.now() / 1000)

// `crypto` = the token's otp.crypto block: {key, interval, length}.
export function sealKey (crypto, unixSeconds = nowSeconds()) {
  return md5hex(totp(crypto.key, crypto.length, crypto.interval, unixSeconds))
}
export function ledgerTopic (room, crypto, unixSeconds = nowSeconds()) {
  return md5hex(totp(room, crypto.length, crypto.interval, unixSeconds))
}
export function publicTopic (room, crypto, unixSeconds = nowSeconds()) {
  return md5hex(totp(room, crypto.length, crypto.interval, unixSeconds) + 'public')
}
// `dht` = otp.dht block; without a key the static rendezvous string is used as is.
export function rendezvous (dht, staticRendezvous, unixSeconds = nowSeconds()) {
  if (!dht?.key) return staticRendezvous
  return md5hex(totp(dht.key, dht.length || 12, dht.interval, unixSeconds))
}

// ---- spec 4: sealer -----------------------------------------------------------------------

// The AES-256 key: a zeroed 32-byte array with the key string's bytes copied in.
function aesKey (keyString) {
  const key = Buffer.alloc(32)
  Buffer.from(keyString, 'utf8').copy(key, 0, 0, 32)
  return key
}

// hex(nonce ‖ ciphertext ‖ tag), AES-256-GCM, random 12-byte nonce, no AAD.
export function seal (plaintext, keyString, nonce = randomBytes(12)) {
  const cipher = createCipheriv('aes-256-gcm', aesKey(keyString), nonce)
  const body = Buffer.concat([cipher.update(Buffer.from(plaintext)), cipher.final()])
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('hex')
}

// The plaintext, or null when the message is not sealed with this key.
export function unseal (hexText, keyString) {
  const raw = Buffer.from(hexText, 'hex')
  if (raw.length < 12 + 16) return null
  try {
    const decipher = createDecipheriv('aes-256-gcm', aesKey(keyString), raw.subarray(0, 12))
    decipher.setAuthTag(raw.subarray(raw.length - 16))
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()])
  } catch {
    return null
  }
}

// ---- Go encoding/json details ---------------------------------------------------------------

// A JSON string as Go's encoding/json writes it (HTML-safe: <, >, & and U+2028/9 escaped).
export function goQuote (s) {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
}

// Go maps are written with keys sorted bytewise.
const sortedKeys = (obj) => Object.keys(obj).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))

// Go's time.Time.String() of a UTC instant: "2023-11-14 22:13:21.123 +0000 UTC" (fraction
// trimmed of trailing zeros, omitted when zero).
export function goUtcTimeString (date = new Date()) {
  const p = (n, w = 2) => String(n).padStart(w, '0')
  let frac = p(date.getUTCMilliseconds(), 3).replace(/0+$/, '')
  frac = frac === '' ? '' : '.' + frac
  return `${date.getUTCFullYear()}-${p(date.getUTCMonth() + 1)}-${p(date.getUTCDate())} ` +
    `${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}${frac} +0000 UTC`
}

// ---- spec 6: blocks and entries -----------------------------------------------------------

// An entry: {value: JSON text, owner: '', version: BigInt, updatedAt: Number, deleted, sig: Buffer|null}.
export function legacyEntry (value) {
  return { value, owner: '', version: 0n, updatedAt: 0, deleted: false, sig: null }
}

// An entry is written in legacy form iff it carries no ownership data (spec 6.1).
const isLegacy = (e) => e.owner === '' && e.sig == null && !e.deleted && BigInt(e.version) === 0n

function encodeEntry (e) {
  if (isLegacy(e)) return goQuote(e.value)
  const sig = e.sig == null ? 'null' : goQuote(Buffer.from(e.sig).toString('base64'))
  return `{"Value":${goQuote(e.value)},"Owner":${goQuote(e.owner)},"Version":${BigInt(e.version)},` +
    `"UpdatedAt":${BigInt(e.updatedAt)},"Deleted":${e.deleted ? 'true' : 'false'},"Sig":${sig}}`
}

// storage = {bucket: {key: entry}}.
function encodeStorage (storage) {
  const buckets = sortedKeys(storage).map((bucket) => {
    const entries = sortedKeys(storage[bucket]).map((k) => `${goQuote(k)}:${encodeEntry(storage[bucket][k])}`)
    return `${goQuote(bucket)}:{${entries.join(',')}}`
  })
  return `{${buckets.join(',')}}`
}

// Go's fmt.Sprint of the storage map (spec 6.3): v0.35 prints each entry as its struct.
function sprintStorage (storage, v035 = true) {
  const entry = (e) => {
    if (!v035) return e.value
    const sig = e.sig == null ? [] : [...Buffer.from(e.sig)]
    return `{${e.value} ${e.owner} ${BigInt(e.version)} ${e.updatedAt} ${e.deleted} [${sig.join(' ')}]}`
  }
  const buckets = sortedKeys(storage).map((bucket) =>
    `${bucket}:map[${sortedKeys(storage[bucket]).map((k) => `${k}:${entry(storage[bucket][k])}`).join(' ')}]`)
  return `map[${buckets.join(' ')}]`
}

export const kGenesisHash = createHash('sha256').update('0map[]').digest('hex')

// hex(SHA-256(fmt.Sprint(Index, Timestamp, Storage, PrevHash))).
export function blockHash (block, v035 = true) {
  const input = `${block.index}${block.timestamp}${sprintStorage(block.storage, v035)}${block.prevHash}`
  return createHash('sha256').update(input, 'utf8').digest('hex')
}

// block = {index, timestamp, storage, hash?, prevHash}; the hash is computed when absent.
export function encodeBlock (block) {
  const hash = block.hash ?? blockHash(block)
  return `{"Index":${block.index},"Timestamp":${goQuote(block.timestamp)},` +
    `"Storage":${encodeStorage(block.storage)},"Hash":${goQuote(hash)},"PrevHash":${goQuote(block.prevHash)}}`
}

// Decodes a block JSON; entries come back in the {value, owner, version (BigInt), ...} form plus
// `encoding` ('legacy' | 'signed').
export function decodeBlock (json) {
  // uint64 versions exceed 2^53: quote them before JSON.parse. Inside the (escaped) value strings
  // the text reads \"Version\": and does not match.
  const parsed = JSON.parse(json.replace(/"Version":\s*(\d+)/g, '"Version":"$1"'))
  const storage = {}
  for (const [bucket, entries] of Object.entries(parsed.Storage ?? {})) {
    storage[bucket] = {}
    for (const [k, raw] of Object.entries(entries ?? {})) {
      storage[bucket][k] = typeof raw === 'string'
        ? { ...legacyEntry(raw), encoding: 'legacy' }
        : {
            value: raw.Value ?? '',
            owner: raw.Owner ?? '',
            version: BigInt(raw.Version ?? 0),
            updatedAt: Number(raw.UpdatedAt ?? 0),
            deleted: raw.Deleted === true,
            sig: raw.Sig == null ? null : Buffer.from(raw.Sig, 'base64'),
            encoding: 'signed'
          }
    }
  }
  return { index: parsed.Index, timestamp: parsed.Timestamp, storage, hash: parsed.Hash, prevHash: parsed.PrevHash }
}

// ---- spec 6.8: canonical signing bytes ------------------------------------------------------

function lengthPrefixed (s) {
  const bytes = Buffer.from(s, 'utf8')
  const len = Buffer.alloc(8)
  len.writeBigUInt64BE(BigInt(bytes.length))
  return Buffer.concat([len, bytes])
}

export function canonical (bucket, key, e) {
  const version = Buffer.alloc(8)
  version.writeBigUInt64BE(BigInt(e.version))
  const updatedAt = Buffer.alloc(8)
  updatedAt.writeBigInt64BE(BigInt(e.updatedAt))
  return Buffer.concat([lengthPrefixed(bucket), lengthPrefixed(key), lengthPrefixed(e.owner), version,
    updatedAt, Buffer.from([e.deleted ? 1 : 0]), lengthPrefixed(e.value)])
}

// A signed entry; `privateKey` is a libp2p private key (its sign() may be sync or async).
export async function signedEntry (bucket, key, value, privateKey, owner, options = {}) {
  const now = Date.now()
  const e = {
    value,
    owner,
    version: options.version != null ? BigInt(options.version) : BigInt(now) * 1000000n,
    updatedAt: options.updatedAt ?? Math.floor(now / 1000),
    deleted: options.deleted === true,
    sig: null
  }
  if (e.deleted) e.value = ''
  e.sig = Buffer.from(await privateKey.sign(canonical(bucket, key, e)))
  return e
}

// Verifies a signed entry against the Ed25519 key embedded in its Owner peer ID.
export async function verifyEntry (bucket, key, e) {
  if (e.sig == null || e.owner === '') return false
  try {
    const pub = peerIdFromString(e.owner).publicKey
    if (pub == null) return false
    return Boolean(await pub.verify(canonical(bucket, key, e), e.sig))
  } catch {
    return false
  }
}

// ---- spec 5.3 / 5.4: the gossip message -------------------------------------------------------

// Go's gzip writer leaves no name, mtime 0 and OS=255 (unknown); node writes OS=3, so patch it.
export function goGzip (bytes) {
  const out = gzipSync(Buffer.from(bytes))
  out[9] = 255
  return out
}

// The pubsub data: {"Message":seal(gzip(JSON(block))),"SenderID":"","Annotations":null}.
export function encodeMessage (block, keyString) {
  const sealed = seal(goGzip(Buffer.from(encodeBlock(block), 'utf8')), keyString)
  return Buffer.from(`{"Message":${goQuote(sealed)},"SenderID":"","Annotations":null}`, 'utf8')
}

// Inverse of encodeMessage: {ok: true, json, block} or {ok: false, stage, error}.
export function decodeMessage (data, keyStrings) {
  let envelope
  try {
    envelope = JSON.parse(Buffer.from(data).toString('utf8'))
  } catch (err) {
    return { ok: false, stage: 'envelope', error: String(err.message) }
  }
  if (typeof envelope?.Message !== 'string') return { ok: false, stage: 'envelope', error: 'no Message' }
  let plain = null
  let usedKey = null
  for (const k of [keyStrings].flat()) {
    plain = unseal(envelope.Message, k)
    if (plain != null) { usedKey = k; break }
  }
  if (plain == null) return { ok: false, stage: 'unseal', error: 'not sealed with our key' }
  let json
  try {
    json = gunzipSync(plain).toString('utf8')
  } catch (err) {
    return { ok: false, stage: 'inflate', error: String(err.message) }
  }
  try {
    return { ok: true, json, block: decodeBlock(json), key: usedKey, envelope }
  } catch (err) {
    return { ok: false, stage: 'block', error: String(err.message) }
  }
}

// ---- self test (spec 16) --------------------------------------------------------------------

export async function selftest () {
  const failures = []
  const eq = (name, got, want) => { if (got !== want) failures.push(`${name}: got ${got}, want ${want}`) }
  const t = 1700000000
  eq('totp 43/360', totp('testkey', 43, 360, t), 'L+mSGp5Ceo1Gz3kX1be1LngGRYgIY5+BGEVyVhQqI/A')
  eq('totp 43/9000', totp('testkey', 43, 9000, t), 'J8p648Vg5/afwXD3VKObS4pAKed6Z24n1UyaQGv3XY0')
  eq('totp 6/30', totp('testkey', 6, 30, t), 'MKoaz/')
  eq('totp 0/30', totp('testkey', 0, 30, t), 'MKoaz/')
  eq('totp 12/360', totp('testkey', 12, 360, t), 'L+mSGp5Ceo1G')
  const crypto = { key: 'cryptokey', interval: 360, length: 43 }
  eq('crypto totp', totp('cryptokey', 43, 360, t), 'ZHo7RIUOigJlbozq22LC/dm+WQJ5wfV5zFRcJTj08vg')
  eq('seal key', sealKey(crypto, t), 'a89467c668bac45b14921cf589c02fb8')
  eq('topic', ledgerTopic('roomname', crypto, t), '50a7d9624e08cedc95f3dea089919925')
  eq('public topic', publicTopic('roomname', crypto, t), '73fd8fc26d531b57cce16d7f78589534')
  eq('rendezvous', rendezvous({ key: 'dhtkey', interval: 360, length: 43 }, 'x', t), 'fe808b8a671de5fec4e3d231ed83e9e7')
  eq('static rendezvous', rendezvous({ key: '', interval: 360, length: 0 }, 'static', t), 'static')
  const nonce = Buffer.from('000102030405060708090a0b', 'hex')
  const sealed = seal(Buffer.from('hello'), 'a89467c668bac45b14921cf589c02fb8', nonce)
  eq('aes-gcm', sealed, '000102030405060708090a0b3fae8ae0da3b1753e138786382476e64e51c51cd0f')
  eq('unseal', unseal(sealed, 'a89467c668bac45b14921cf589c02fb8')?.toString(), 'hello')
  eq('unseal wrong key', unseal(sealed, 'b89467c668bac45b14921cf589c02fb8'), null)
  eq('genesis hash', kGenesisHash, '993c923422cd134b6aad0235ebfd4290a7b27b83d1bcd6b1fb2addc4b45b2fa6')
  const machine = '{"PeerID":"12D3KooWA","Hostname":"h","OS":"linux","Arch":"amd64","Address":"10.1.0.1","Version":""}'
  const block = {
    index: 1,
    timestamp: '2023-11-14 22:13:21.123456789 +0000 UTC',
    storage: { machines: { '10.1.0.1': legacyEntry(machine) }, healthcheck: { '12D3KooWA': legacyEntry('"2023-11-14T22:13:21Z"') } },
    prevHash: kGenesisHash
  }
  eq('block hash v0.35', blockHash(block), '831c2b7c544a2ccacf42e631b6de122c5ccfc0731b8138cda1850f0184f74bb7')
  const legacyHash = blockHash(block, false)
  eq('block hash v0.34', `${legacyHash.slice(0, 8)}…${legacyHash.slice(-5)}`, '3f4c7fe3…0ecde')
  const wire = '{"Index":1,"Timestamp":"2023-11-14 22:13:21.123456789 +0000 UTC","Storage":{"healthcheck":{"12D3KooWA":"\\"2023-11-14T22:13:21Z\\""},"machines":{"10.1.0.1":"{\\"PeerID\\":\\"12D3KooWA\\",\\"Hostname\\":\\"h\\",\\"OS\\":\\"linux\\",\\"Arch\\":\\"amd64\\",\\"Address\\":\\"10.1.0.1\\",\\"Version\\":\\"\\"}"}},"Hash":"831c2b7c544a2ccacf42e631b6de122c5ccfc0731b8138cda1850f0184f74bb7","PrevHash":"993c923422cd134b6aad0235ebfd4290a7b27b83d1bcd6b1fb2addc4b45b2fa6"}'
  eq('block wire json', encodeBlock(block), wire)
  eq('block round trip', encodeBlock(decodeBlock(wire)), wire)
  const signedWire = '{"Value":"{…}","Owner":"12D3KooWB","Version":1700000001000000000,"UpdatedAt":1700000001,"Deleted":false,"Sig":"AQID"}'
  eq('signed entry json', encodeEntry({ value: '{…}', owner: '12D3KooWB', version: 1700000001000000000n, updatedAt: 1700000001, deleted: false, sig: Buffer.from([1, 2, 3]) }), signedWire)
  eq('tombstone json', encodeEntry({ value: '', owner: 'o', version: 5n, updatedAt: 9, deleted: true, sig: Buffer.from([255]) }),
    '{"Value":"","Owner":"o","Version":5,"UpdatedAt":9,"Deleted":true,"Sig":"/w=="}')
  const roundTrip = decodeBlock(`{"Index":2,"Timestamp":"x","Storage":{"b":{"k":${signedWire}}},"Hash":"h","PrevHash":"p"}`)
  eq('signed entry version (uint64)', roundTrip.storage.b.k.version, 1700000001000000000n)
  eq('signed entry decode', encodeEntry(roundTrip.storage.b.k), signedWire)
  eq('canonical', canonical('users', 'k', { value: '"v"', owner: 'O', version: 3n, updatedAt: 100, deleted: false }).toString('hex'),
    '0000000000000005757365727300000000000000016b00000000000000014f0000000000000003000000000000006400' +
    '0000000000000003227622')
  eq('envelope', Buffer.from(`{"Message":${goQuote('abc')},"SenderID":"","Annotations":null}`).toString(),
    '{"Message":"abc","SenderID":"","Annotations":null}')
  eq('go quote', goQuote('<a&b>\u2028'), '"\\u003ca\\u0026b\\u003e\\u2028"')
  const message = encodeMessage(block, 'a89467c668bac45b14921cf589c02fb8')
  const opened = decodeMessage(message, ['ffffffffffffffffffffffffffffffff', 'a89467c668bac45b14921cf589c02fb8'])
  eq('message round trip', opened.ok && opened.json, wire)
  eq('message wrong key', decodeMessage(message, 'ffffffffffffffffffffffffffffffff').stage, 'unseal')
  eq('go time string', goUtcTimeString(new Date(Date.UTC(2023, 10, 14, 22, 13, 21, 120))), '2023-11-14 22:13:21.12 +0000 UTC')
  eq('go time string whole', goUtcTimeString(new Date(Date.UTC(2023, 10, 14, 22, 13, 21, 0))), '2023-11-14 22:13:21 +0000 UTC')
  return failures
}

if (process.argv[1] != null && import.meta.url === new URL(`file://${process.argv[1]}`).href && process.argv.includes('--selftest')) {
  const failures = await selftest()
  for (const f of failures) process.stderr.write(`FAIL ${f}\n`)
  process.stdout.write(failures.length === 0 ? 'edgevpn_sealer selftest: ok\n' : `edgevpn_sealer selftest: ${failures.length} failure(s)\n`)
  process.exit(failures.length === 0 ? 0 : 1)
}
