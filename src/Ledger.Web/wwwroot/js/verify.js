// Checks, in this browser and without trusting the server, that one recorded event is in the ledger's
// Merkle log: the checkpoint's Ed25519 signature against a public key the auditor pinned (C2SP
// signed-note and tlog-checkpoint), or against a trust policy the auditor pinned instead (C2SP
// tlog-policy: the ledger's key, witnesses' keys and a quorum of their cosignatures, tlog-cosignature v1), the event's leaf hash recomputed from its content (SHA-256 of 0x00
// and the leaf bytes), and the inclusion proof from that leaf to the checkpoint's root (RFC 9162
// section 2.1.3.2). WebCrypto only, no library. The words come from the page (#verify-words), so the
// same file serves both languages, the history page, the verify page and its saved offline copy.
// README.md publishes this file's SHA-256; the page loads it with that Subresource Integrity value.
(function () {
  "use strict";

  var KEY_STORE = "ledger.verify.pinnedKey";
  var encoder = new TextEncoder();

  // ---- words -------------------------------------------------------------------------------
  var wordsCache = null;
  function words() {
    if (wordsCache && document.contains(wordsCache.node)) return wordsCache.value;
    var node = document.getElementById("verify-words");
    var value = {};
    try { value = node ? JSON.parse(node.textContent) : {}; } catch (e) { value = {}; }
    wordsCache = { node: node, value: value };
    return value;
  }
  function say(key) {
    var text = words()[key] || key;
    for (var i = 1; i < arguments.length; i++) text = text.split("{" + (i - 1) + "}").join(String(arguments[i]));
    return text;
  }

  // ---- bytes -------------------------------------------------------------------------------
  function Refused(check, message) { this.check = check; this.message = message; }

  // Standard, padded base64 in its one spelling (as signed-note requires); null when it is not.
  function fromBase64(text) {
    if (typeof text !== "string" || text.length === 0 || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
    var binary;
    try { binary = atob(text); } catch (e) { return null; }
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return toBase64(bytes) === text ? bytes : null;
  }
  function toBase64(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }
  function concat() {
    var length = 0, i;
    for (i = 0; i < arguments.length; i++) length += arguments[i].length;
    var out = new Uint8Array(length), at = 0;
    for (i = 0; i < arguments.length; i++) { out.set(arguments[i], at); at += arguments[i].length; }
    return out;
  }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  function sha256(bytes) {
    return crypto.subtle.digest("SHA-256", bytes).then(function (d) { return new Uint8Array(d); });
  }
  function hex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return s;
  }

  // ---- the pinned key: <name>+<8 hex key id>+<base64(type || 32-byte Ed25519 key)> ----------
  // type 0x01 is a log's key (it signs checkpoints), 0x04 a witness's (it cosigns them).
  function parseKey(text, type) {
    type = type || 1;
    text = (text || "").trim();
    var first = text.indexOf("+"), second = first < 0 ? -1 : text.indexOf("+", first + 1);
    if (second < 0) return Promise.reject(new Refused("key", say("malformedKey")));
    var name = text.slice(0, first), id = text.slice(first + 1, second), material = fromBase64(text.slice(second + 1));
    if (!name || /[\s+]/.test(name) || !/^[0-9a-f]{8}$/.test(id) || !material || material.length !== 33 || material[0] !== type)
      return Promise.reject(new Refused("key", say("malformedKey")));
    var publicKey = material.slice(1);
    // key ID = SHA-256(name || "\n" || type || public key)[:4]
    return sha256(concat(encoder.encode(name), new Uint8Array([10, type]), publicKey)).then(function (h) {
      if (hex(h.slice(0, 4)) !== id) throw new Refused("key", say("malformedKey"));
      return { text: text, name: name, id: id, idBytes: h.slice(0, 4), publicKey: publicKey };
    });
  }

  // ---- what is trusted: one key, or a policy (log / witness / group / quorum lines) ----------
  // A policy: { text, logs: [key], witnesses: [{ name, key }], members: { name: rule }, quorum: rule }
  // where a rule is { witness: name } or { k: n, of: [rule] }; quorum null means none.
  function parseTrust(text) {
    text = (text || "").replace(/\r\n/g, "\n").trim();
    if (!/^\s*(log|witness|group|quorum|#)/m.test(text) || text.indexOf("\n") < 0 && text.indexOf(" ") < 0) {
      return parseKey(text).then(function (key) {
        return { text: key.text, logs: [key], witnesses: [], quorum: null, single: true };
      });
    }
    var policy = { text: text, logs: [], witnesses: [], members: {}, quorum: undefined };
    var pending = [], bad = function () { return Promise.reject(new Refused("key", say("malformedPolicy"))); };
    var lines = text.split("\n");
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i].trim();
      if (!line || line[0] === "#") continue;
      var f = line.split(/[ \t]+/);
      if (f[0] === "log" && (f.length === 2 || f.length === 3)) {
        pending.push(parseKey(f[1], 1).then(function (key) { policy.logs.push(key); }));
      } else if (f[0] === "witness" && (f.length === 3 || f.length === 4) && f[1] !== "none" && !policy.members[f[1]]) {
        policy.members[f[1]] = { witness: f[1] };
        pending.push((function (name, vkey) {
          return parseKey(vkey, 4).then(function (key) { policy.witnesses.push({ name: name, key: key }); });
        })(f[1], f[2]));
      } else if (f[0] === "group" && f.length >= 4 && f[1] !== "none" && !policy.members[f[1]]) {
        var parts = [];
        for (var j = 3; j < f.length; j++) {
          if (!policy.members[f[j]]) return bad();
          parts.push(policy.members[f[j]]);
        }
        var k = f[2] === "all" ? parts.length : f[2] === "any" ? 1 : /^[1-9][0-9]*$/.test(f[2]) ? Number(f[2]) : 0;
        if (k < 1 || k > parts.length) return bad();
        policy.members[f[1]] = { k: k, of: parts, name: f[1] };
      } else if (f[0] === "quorum" && f.length === 2 && policy.quorum === undefined) {
        if (f[1] === "none") policy.quorum = null;
        else if (policy.members[f[1]]) policy.quorum = policy.members[f[1]];
        else if (/^[1-9][0-9]*$/.test(f[1])) {
          var all = Object.keys(policy.members).filter(function (n) { return policy.members[n].witness; })
            .map(function (n) { return policy.members[n]; });
          if (Number(f[1]) > all.length) return bad();
          policy.quorum = { k: Number(f[1]), of: all };
        } else return bad();
      } else return bad();
    }
    if (policy.quorum === undefined) return bad();
    return Promise.all(pending).then(function () {
      if (policy.logs.length === 0) throw new Refused("key", say("malformedPolicy"));
      return policy;
    }, function () { throw new Refused("key", say("malformedPolicy")); });
  }

  function describeRule(rule) {
    if (!rule) return "-";
    if (rule.witness) return rule.witness;
    return rule.k + "/" + rule.of.length + " (" + rule.of.map(describeRule).join(", ") + ")";
  }
  function ruleMet(rule, cosigned) {
    if (!rule) return true;
    if (rule.witness) return cosigned.indexOf(rule.witness) >= 0;
    return rule.of.filter(function (r) { return ruleMet(r, cosigned); }).length >= rule.k;
  }

  // ---- the signed checkpoint ---------------------------------------------------------------
  function splitNote(note) {
    // A file saved on another system may have CRLF line endings or lose its final newline in a
    // paste; neither is part of what was signed, and any other change fails the signature.
    note = note.replace(/\r\n/g, "\n");
    if (note.length > 0 && note[note.length - 1] !== "\n") note += "\n";
    var split = note.lastIndexOf("\n\n");
    if (split < 0) throw new Refused("signature", say("malformedCheckpoint"));
    var text = note.slice(0, split + 1);
    var lines = note.slice(split + 2).split("\n");
    lines.pop();
    if (lines.length === 0) throw new Refused("signature", say("malformedCheckpoint"));
    var signatures = [];
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      if (line.indexOf("\u2014 ") !== 0) throw new Refused("signature", say("malformedCheckpoint"));
      var space = line.indexOf(" ", 2);
      var blob = space < 0 ? null : fromBase64(line.slice(space + 1));
      if (!blob || blob.length < 5) throw new Refused("signature", say("malformedCheckpoint"));
      signatures.push({ name: line.slice(2, space), blob: blob });
    }
    return { text: text, signatures: signatures };
  }

  // Signatures by other keys (another name or key ID: a witness, a rotated key) are ignored.
  function by(note, key) {
    return note.signatures.filter(function (s) { return s.name === key.name && equal(s.blob.slice(0, 4), key.idBytes); });
  }

  function openNote(text, trust) {
    var note;
    try { note = splitNote(text); } catch (e) { return Promise.reject(e); }
    var log = null;
    for (var i = 0; i < trust.logs.length && !log; i++) if (by(note, trust.logs[i]).length > 0) log = trust.logs[i];
    if (!log) {
      var named = trust.logs.map(function (k) { return k.name + "+" + k.id; }).join(", ");
      return Promise.reject(new Refused("notByKey", say("failedNotByKey", named)));
    }
    return importKey(log.publicKey).then(function (publicKey) {
      return Promise.all(by(note, log).map(function (s) {
        return s.blob.length === 68
          ? crypto.subtle.verify({ name: "Ed25519" }, publicKey, s.blob.slice(4), encoder.encode(note.text))
          : false;
      }));
    }).then(function (results) {
      if (results.indexOf(false) >= 0) throw new Refused("signature", say("failedSignature"));
      var checkpoint = parseCheckpoint(note.text);
      checkpoint.signedBy = log.name + "+" + log.id;
      return cosigners(note, trust).then(function (names) {
        checkpoint.cosigners = names;
        return checkpoint;
      });
    });
  }

  // The policy's witnesses whose cosignature (cosignature/v1: key ID, u64 time, Ed25519 signature of
  // "cosignature/v1\ntime <t>\n" and the checkpoint's text) verifies; one that fails refuses the note.
  function cosigners(note, trust) {
    return Promise.all(trust.witnesses.map(function (w) {
      var mine = by(note, w.key);
      if (mine.length === 0) return false;
      return importKey(w.key.publicKey).then(function (publicKey) {
        return Promise.all(mine.map(function (s) {
          if (s.blob.length !== 76) return false;
          var time = new DataView(s.blob.buffer, s.blob.byteOffset + 4, 8).getBigUint64(0);
          if (time >= (BigInt(1) << BigInt(63))) return false;
          var message = encoder.encode("cosignature/v1\ntime " + time.toString() + "\n" + note.text);
          return crypto.subtle.verify({ name: "Ed25519" }, publicKey, s.blob.slice(12), message);
        }));
      }).then(function (results) {
        if (results.indexOf(false) >= 0) throw new Refused("signature", say("failedSignature"));
        return w.name;
      });
    })).then(function (names) { return names.filter(function (n) { return n; }); });
  }

  function importKey(raw) {
    return crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]).catch(function () {
      throw new Refused("browser", say("noEd25519"));
    });
  }

  // origin, tree size (decimal, no leading zero) and base64 root, each ending in a newline.
  function parseCheckpoint(text) {
    var lines = text.slice(0, -1).split("\n");
    var root = lines.length === 3 ? fromBase64(lines[2]) : null;
    if (lines.length !== 3 || !lines[0] || !/^(0|[1-9][0-9]{0,15})$/.test(lines[1]) || !root || root.length !== 32)
      throw new Refused("signature", say("malformedCheckpoint"));
    return { origin: lines[0], size: Number(lines[1]), root: root };
  }

  // ---- the inclusion proof (RFC 9162 2.1.3.2) ------------------------------------------------
  function node(left, right) { return sha256(concat(new Uint8Array([1]), left, right)); }

  function rootFromPath(index, size, leaf, path) {
    if (!(index >= 0 && index < size)) return Promise.resolve(null);
    var fn = index, sn = size - 1, i = 0;
    function step(r) {
      if (i === path.length) return sn === 0 ? r : null;
      if (sn === 0) return null;
      var p = path[i++], even = fn % 2 === 0;
      if (!even || fn === sn) {
        return node(p, r).then(function (next) {
          if (even) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
          fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
          return step(next);
        });
      }
      return node(r, p).then(function (next) {
        fn = Math.floor(fn / 2); sn = Math.floor(sn / 2);
        return step(next);
      });
    }
    return Promise.resolve(step(leaf));
  }

  function readProof(text) {
    var proof;
    try { proof = JSON.parse(text); } catch (e) { proof = null; }
    if (!proof || typeof proof !== "object" || !Array.isArray(proof.proof) || typeof proof.leafIdx !== "number" || typeof proof.treeSize !== "number")
      throw new Refused("inclusion", say("malformedProof"));
    var path = proof.proof.map(fromBase64);
    var leafHash = proof.leafHash == null ? null : fromBase64(proof.leafHash);
    if (path.some(function (h) { return !h || h.length !== 32; }) || (proof.leafHash != null && (!leafHash || leafHash.length !== 32)))
      throw new Refused("inclusion", say("malformedProof"));
    return { doc: proof, path: path, leafHash: leafHash };
  }

  // ---- the whole check ---------------------------------------------------------------------
  // input: { key, proof, checkpoint, event } as text; answers { ok, headline, checks, details, failed }.
  function verify(input) {
    var outcome = { checks: { signature: "skipped", leaf: "skipped", inclusion: "skipped" }, details: [] };
    if (!window.crypto || !crypto.subtle) return Promise.resolve(refused(outcome, new Refused("browser", say("insecureContext"))));
    if (!input.key) return Promise.resolve(refused(outcome, new Refused("key", say("missingKey"))));
    if (!input.proof || !input.proof.trim()) return Promise.resolve(refused(outcome, new Refused("inclusion", say("missingProof"))));
    var proof, checkpoint, key, leaf;
    return Promise.resolve().then(function () {
      proof = readProof(input.proof);
      var note = input.checkpoint && input.checkpoint.trim() ? input.checkpoint : proof.doc.checkpoint;
      if (!note) throw new Refused("signature", say("missingCheckpoint"));
      return parseTrust(input.key).then(function (k) {
        key = k;
        return openNote(note, key);
      });
    }).then(function (c) {
      checkpoint = c;
      outcome.checks.signature = "ok";
      outcome.details.push(say("detailCheckpoint", checkpoint.origin, checkpoint.size, checkpoint.signedBy));
      if (!key.single) {
        // The ledger signed it; whether the policy's witnesses vouch for it is a check of its own.
        var cosigned = checkpoint.cosigners.length ? say("cosignedBy", checkpoint.cosigners.join(", ")) : say("noWitness");
        outcome.checks.quorum = "skipped";
        if (!ruleMet(key.quorum, checkpoint.cosigners)) throw new Refused("quorum", say("failedQuorum", cosigned, describeRule(key.quorum)));
        outcome.checks.quorum = "ok";
        outcome.details.push(say("detailCosigned", cosigned, describeRule(key.quorum)));
      }
      var event = (input.event || "").replace(/^\s+|\s+$/g, "");
      if (!event && proof.doc.event) event = proof.doc.event;
      if (!event) {
        if (!proof.leafHash) throw new Refused("leaf", say("malformedProof"));
        outcome.details.push(say("detailNoEvent"));
        return proof.leafHash;
      }
      return sha256(concat(new Uint8Array([0]), encoder.encode(event))).then(function (computed) {
        if (proof.leafHash && !equal(computed, proof.leafHash)) throw new Refused("leaf", say("failedLeaf"));
        outcome.checks.leaf = "ok";
        describeEvent(event, outcome.details);
        return computed;
      });
    }).then(function (leafHash) {
      leaf = leafHash;
      if (proof.doc.treeSize !== checkpoint.size) throw new Refused("inclusion", say("failedSize", proof.doc.treeSize, checkpoint.size));
      return rootFromPath(proof.doc.leafIdx, proof.doc.treeSize, leaf, proof.path);
    }).then(function (root) {
      if (!root || !equal(root, checkpoint.root)) throw new Refused("inclusion", say("failedInclusion"));
      outcome.checks.inclusion = "ok";
      outcome.details.push(say("detailLeaf", proof.doc.leafIdx + 1, checkpoint.size));
      outcome.ok = true;
      outcome.headline = say("verified");
      return outcome;
    }).catch(function (e) {
      if (e instanceof Refused) return refused(outcome, e);
      return refused(outcome, new Refused("browser", say("unexpected", e && e.message ? e.message : String(e))));
    });
  }

  function refused(outcome, e) {
    outcome.ok = false;
    if (outcome.checks[e.check] !== undefined) outcome.checks[e.check] = "failed";
    outcome.failed = e.check;
    // A changed signature, leaf or path is a change of content; a key that signed nothing here, or
    // input that cannot be read, is not.
    outcome.headline = e.check === "signature" || e.check === "leaf" || e.check === "inclusion" ? say("changed")
      : e.check === "notByKey" ? say("notByKey") : e.check === "quorum" ? say("notWitnessed") : say("cannot");
    outcome.reason = e.message;
    return outcome;
  }

  function describeEvent(text, details) {
    var event;
    try { event = JSON.parse(text); } catch (e) { return; }
    if (!event || typeof event !== "object") return;
    var types = words().types || {};
    details.push(say("detailEvent", types[event.type] || say("unknownType"), event.sequence, event.stream, event.version, beijing(event.timestamp)));
  }

  function beijing(iso) {
    var t = Date.parse(iso);
    if (isNaN(t)) return "";
    var d = new Date(t + 8 * 3600 * 1000);
    var hh = ("0" + d.getUTCHours()).slice(-2), mm = ("0" + d.getUTCMinutes()).slice(-2);
    var months = words().months || [];
    return say("time", d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), hh + ":" + mm, months[d.getUTCMonth()] || "");
  }

  // ---- the page ----------------------------------------------------------------------------
  function pinned() {
    try { return localStorage.getItem(KEY_STORE) || ""; } catch (e) { return ""; }
  }

  function showPinned(root) {
    var shown = root.querySelector("[data-verify-pinned]");
    if (!shown) return;
    var text = pinned();
    if (!text) { shown.textContent = say("notPinned"); return; }
    if (/^\s*(log|witness|group|quorum|#)/m.test(text) && /\s/.test(text.trim())) {
      parseTrust(text).then(function (policy) {
        shown.textContent = say("pinnedPolicy", policy.logs.map(function (k) { return k.name; }).join(", "),
          policy.witnesses.length, describeRule(policy.quorum));
      }, function () { shown.textContent = say("notPinned"); });
      return;
    }
    var parts = text.split("+");
    shown.textContent = say("pinned", parts[0], parts[1] || "");
  }

  function render(target, outcome) {
    target.innerHTML = "";
    target.className = "verify-result " + (outcome.ok ? "verified" : "refused");
    var head = document.createElement("p");
    head.className = "verify-headline";
    head.textContent = (outcome.ok ? "\u2714 " : "\u2718 ") + outcome.headline;
    target.appendChild(head);
    if (outcome.reason) {
      var reason = document.createElement("p");
      reason.className = "verify-reason";
      reason.textContent = (outcome.failed && words()["check_" + outcome.failed] ? say("failedCheck", say("check_" + outcome.failed)) + " " : "") + outcome.reason;
      target.appendChild(reason);
    }
    if (target.hasAttribute("data-verify-brief")) return;
    var list = document.createElement("ul");
    list.className = "verify-checks";
    ["signature", "quorum", "leaf", "inclusion"].filter(function (check) { return outcome.checks[check] !== undefined; }).forEach(function (check) {
      var item = document.createElement("li");
      item.setAttribute("data-check", check);
      item.setAttribute("data-state", outcome.checks[check]);
      item.textContent = say("check_" + check) + say("separator") + say("state_" + outcome.checks[check]);
      list.appendChild(item);
    });
    target.appendChild(list);
    outcome.details.forEach(function (line) {
      var p = document.createElement("p");
      p.className = "meta";
      p.textContent = line;
      target.appendChild(p);
    });
  }

  function field(root, name) { return root.querySelector("[data-verify-field='" + name + "']"); }

  function readFileInto(input, area) {
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () { area.value = String(reader.result); };
      reader.readAsText(file);
    });
  }

  function runPage(root) {
    var result = root.querySelector("[data-verify-output]");
    result.textContent = "";
    return verify({
      key: pinned(),
      proof: field(root, "proof").value,
      checkpoint: field(root, "checkpoint").value,
      event: field(root, "event").value,
    }).then(function (outcome) { render(result, outcome); });
  }

  function setUpPage(root) {
    if (root.getAttribute("data-verify-ready") === "true") return;
    root.setAttribute("data-verify-ready", "true");
    root.removeAttribute("hidden");
    showPinned(root);
    root.querySelector("[data-verify-pin]").addEventListener("click", function () {
      var input = field(root, "key");
      var status = root.querySelector("[data-verify-key-status]");
      parseTrust(input.value).then(function (key) {
        try { localStorage.setItem(KEY_STORE, key.text); } catch (e) { /* private mode: kept for this page only */ }
        input.value = "";
        status.textContent = "";
        showPinned(root);
      }, function (e) {
        status.textContent = e instanceof Refused ? e.message : say("malformedKey");
      });
    });
    var forget = root.querySelector("[data-verify-forget]");
    if (forget) forget.addEventListener("click", function () {
      try { localStorage.removeItem(KEY_STORE); } catch (e) { /* nothing kept */ }
      showPinned(root);
    });
    ["proof", "checkpoint", "event"].forEach(function (name) {
      var file = root.querySelector("[data-verify-file='" + name + "']");
      if (file) readFileInto(file, field(root, name));
    });
    root.querySelector("[data-verify-run]").addEventListener("click", function () { runPage(root); });

    // Opened for one event of a history: its proof is fetched and, with a key pinned, checked at once.
    var source = root.getAttribute("data-verify-source");
    if (source) {
      var result = root.querySelector("[data-verify-output]");
      result.textContent = say("loading");
      fetchProof(source, function (text) { result.textContent = text; }).then(function (bundle) {
        field(root, "proof").value = JSON.stringify(bundle.proof, null, 2);
        field(root, "checkpoint").value = bundle.checkpoint;
        field(root, "event").value = bundle.event;
        result.textContent = "";
        if (pinned()) return runPage(root);
        result.textContent = say("missingKey");
      }, function (e) {
        result.textContent = e.message;
      });
    }
  }

  // The console's answer for one event: { proof, checkpoint, event } or { status: "not_yet_checkpointed" }.
  // While the ledger's database cannot be reached (503), `waiting` shows the console's outage words in
  // place of the result and the proof is asked for again after Retry-After.
  function fetchProof(url, waiting) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (response.status === 503 && waiting) {
        var seconds = parseInt(response.headers.get("Retry-After"), 10);
        if (!(seconds > 0)) seconds = 5;
        waiting(say("unavailable", seconds));
        return new Promise(function (resolve) { setTimeout(resolve, seconds * 1000); }).then(function () { return fetchProof(url, waiting); });
      }
      if (!response.ok) throw new Error(say("fetchFailed", response.status));
      return response.json();
    }).then(function (bundle) {
      if (bundle.status === "not_yet_checkpointed") throw new Error(say("notCheckpointed"));
      return bundle;
    });
  }

  // The history's "verify" links: with script, the check runs beside the event; without, the link
  // opens the verify page for that event.
  document.addEventListener("click", function (e) {
    var link = e.target && e.target.closest ? e.target.closest("a[data-verify-proof]") : null;
    if (!link || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    e.preventDefault();
    e.stopPropagation();
    var out = document.getElementById(link.getAttribute("data-verify-target"));
    if (!out) return;
    out.setAttribute("data-verify-brief", "");
    if (!pinned()) { out.className = "verify-result refused"; out.textContent = say("pinFirst"); return; }
    out.className = "verify-result";
    out.textContent = say("loading");
    fetchProof(link.getAttribute("data-verify-proof"), function (text) { out.className = "verify-result"; out.textContent = text; }).then(function (bundle) {
      return verify({ key: pinned(), proof: JSON.stringify(bundle.proof), checkpoint: bundle.checkpoint, event: bundle.event });
    }).then(function (outcome) { render(out, outcome); }, function (err) {
      out.className = "verify-result refused";
      out.textContent = err.message;
    });
  }, true);

  function init() {
    var roots = document.querySelectorAll("[data-verify-page]");
    for (var i = 0; i < roots.length; i++) setUpPage(roots[i]);
  }

  // For tests and for anyone who wants the check without the page: the same function.
  window.ledgerVerify = verify;

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
  // Enhanced navigation swaps the page's content without a new load: set up again after each swap.
  function listen() {
    if (window.Blazor && window.Blazor.addEventListener) { window.Blazor.addEventListener("enhancedload", init); return true; }
    return false;
  }
  if (!listen()) window.addEventListener("load", listen);
})();
