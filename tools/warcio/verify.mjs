// Reads a WARC file with webrecorder's warcio (an independent reader) and checks every record:
// Content-Length against the block read, WARC-Block-Digest over the block, WARC-Payload-Digest over
// the HTTP payload, and WARC-Concurrent-To pointing at a record in the file.
// Usage: node verify.mjs FILE.warc[.gz]   Prints one JSON object with the counts and any problems.
import fs from "node:fs";
import crypto from "node:crypto";
import { WARCParser } from "warcio";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32(bytes) {
  let bits = 0, value = 0, out = "";
  for (const b of bytes) {
    value = (value << 8) | b; bits += 8;
    while (bits >= 5) { out += BASE32[(value >>> (bits - 5)) & 31]; bits -= 5; }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  while (out.length % 8) out += "=";
  return out;
}

function digestMatches(expected, data) {
  const [algo, value] = expected.split(/:(.*)/s);
  const name = { sha1: "sha1", sha256: "sha256", md5: "md5" }[algo.toLowerCase()];
  if (!name) return false;
  const hash = crypto.createHash(name).update(data).digest();
  return value === base32(hash) || value.replace(/=+$/, "") === base32(hash).replace(/=+$/, "")
    || value.toLowerCase() === hash.toString("hex");
}

function indexOfBlankLine(bytes) {
  for (let i = 0; i + 3 < bytes.length; i++)
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i + 4;
  return -1;
}

const file = process.argv[2];
const report = { records: 0, types: {}, blockDigestsVerified: 0, payloadDigestsVerified: 0, targets: [], statuses: {}, problems: [] };
const ids = new Set();
const concurrent = [];
const parser = new WARCParser(fs.createReadStream(file), { parseHttp: false });
for await (const record of parser) {
  const h = record.warcHeaders.headers;
  const type = h.get("WARC-Type");
  const id = h.get("WARC-Record-ID");
  report.records++;
  report.types[type] = (report.types[type] || 0) + 1;
  if (report.records === 1 && type !== "warcinfo") report.problems.push("first record is not warcinfo");
  for (const name of ["WARC-Record-ID", "WARC-Date", "Content-Length"])
    if (!h.get(name)) report.problems.push(`${id}: missing ${name}`);
  if (record.warcHeaders.statusline.trim() !== "WARC/1.1") report.problems.push(`${id}: version ${record.warcHeaders.statusline}`);
  ids.add(id);

  const block = await record.readFully(false);
  if (Number(h.get("Content-Length")) !== block.length)
    report.problems.push(`${id}: Content-Length ${h.get("Content-Length")} but block has ${block.length} bytes`);
  const blockDigest = h.get("WARC-Block-Digest");
  if (blockDigest) {
    if (digestMatches(blockDigest, block)) report.blockDigestsVerified++;
    else report.problems.push(`${id}: block digest mismatch`);
  }
  if (type === "response" || type === "request") {
    for (const name of ["WARC-Target-URI"])
      if (!h.get(name)) report.problems.push(`${id}: missing ${name}`);
    const split = indexOfBlankLine(block);
    if (split < 0) { report.problems.push(`${id}: no end of HTTP headers`); continue; }
    if (type === "response") {
      report.targets.push(h.get("WARC-Target-URI"));
      const status = new TextDecoder().decode(block.subarray(0, split)).split("\r\n")[0].split(" ")[1];
      report.statuses[status] = (report.statuses[status] || 0) + 1;
      const payloadDigest = h.get("WARC-Payload-Digest");
      if (!payloadDigest) report.problems.push(`${id}: response without WARC-Payload-Digest`);
      else if (digestMatches(payloadDigest, block.subarray(split))) report.payloadDigestsVerified++;
      else report.problems.push(`${id}: payload digest mismatch`);
    } else {
      const to = h.get("WARC-Concurrent-To");
      if (!to) report.problems.push(`${id}: request without WARC-Concurrent-To`);
      else concurrent.push([id, to]);
    }
  }
}
for (const [id, to] of concurrent)
  if (!ids.has(to)) report.problems.push(`${id}: WARC-Concurrent-To ${to} names no record in the file`);
console.log(JSON.stringify(report));
