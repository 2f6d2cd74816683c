#!/usr/bin/env node
// validate.mjs: checks of deploy/ (rendered kustomizations) and of the Dockerfile.
// Prints one "ok NAME" or "FAIL NAME: why" line per check; run_deploy_tests.sh counts them.
//
//   node validate.mjs manifests --name NAME --variant VARIANT --sparkhook BIN RENDERED.yaml
//   node validate.mjs dockerfile --dockerfile F --dockerignore F --deps .ci/deps --base BASE.yaml
//
// manifests: every object is built with its kubernetes-models class and .validate()d (types,
// enums, required keys), and walked for unknown fields (the validators accept them; the API
// server drops or rejects them). cert-manager's Issuer and Certificate are not in
// kubernetes-models: their required fields are checked by hand. Then the invariants of the
// webhook, its Service, RBAC, probes, securityContext and config (README in deploy/).
// VARIANT names an entry of VARIANTS below: what the rendered kustomization must look like.
//
// exit: 0 all checks passed, 1 a check failed, 2 usage error
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const nodeModules = path.join(here, "node_modules");

// ---------------------------------------------------------------- expectations

const NS = "sparkhook-system";
const IMAGE = "ghcr.io/sparkhook/sparkhook:0.1.0";
const WEBHOOK = "spark-pods.sparkhook.io";
const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"];
const UID = 65532;
const RBAC_ALLOWED = { groups: [""], resources: ["namespaces", "serviceaccounts"], verbs: ["get", "list", "watch"] };
const CONFIG_SECTIONS = ["server", "aws", "kube"];
const CERT_MANAGER_KINDS = new Set(["cert-manager.io/v1/Issuer", "cert-manager.io/v1/Certificate"]);

// certs: where the serving certificate and the caBundle come from ("none": the base alone).
// failurePolicy: the expected value. extra: the variant's own checks (EXTRA_CHECKS).
const VARIANTS = {
  "base": { certs: "none" },
  "overlay/cert-manager": { certs: "cert-manager" },
  "overlay/static-certs": { certs: "static" },
  "component/cert-manager": { certs: "cert-manager" },
  "component/static-certs": { certs: "static" },
  "component/namespace-label-selector": { certs: "none", extra: ["namespace-label"] },
  "component/eks-custom-cni": { certs: "none", extra: ["host-network"] },
  "component/aks": { certs: "none", extra: ["aks"] },
  "component/fail-closed": { certs: "none", failurePolicy: "Fail" },
};

// ---------------------------------------------------------------- output

let failed = 0;
let passed = 0;
function report(name, errors) {
  const errs = errors.filter(Boolean);
  if (errs.length === 0) {
    passed++;
    console.log(`ok ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}: ${errs.join("; ")}`);
  }
}
// Runs fn(errs) and reports; an exception is a failure of that check, not of the run.
async function check(name, fn) {
  const errs = [];
  try {
    await fn(errs);
  } catch (e) {
    errs.push(`exception: ${e && e.stack ? e.stack.split("\n").slice(0, 3).join(" | ") : e}`);
  }
  report(name, errs);
}
function usage(msg) {
  if (msg) console.error(`validate.mjs: ${msg}`);
  console.error("usage: node validate.mjs manifests --name NAME --variant VARIANT --sparkhook BIN FILE.yaml\n" +
    "       node validate.mjs dockerfile --dockerfile F --dockerignore F --deps F --base BASE.yaml");
  process.exit(2);
}

// ---------------------------------------------------------------- helpers

const isObj = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const sorted = (a) => [...a].sort();
const id = (o) => `${o.kind}/${o.metadata && o.metadata.name}`;

function loadRender(file) {
  const docs = yaml.loadAll(fs.readFileSync(file, "utf8")).filter((d) => d !== null && d !== undefined);
  if (docs.length === 0) throw new Error(`${file}: no objects`);
  return docs;
}
const ofKind = (objs, kind) => objs.filter((o) => o.kind === kind);
function one(objs, kind, errs) {
  const found = ofKind(objs, kind);
  if (found.length !== 1) {
    errs.push(`expected exactly one ${kind}, found ${found.length}`);
    return null;
  }
  return found[0];
}

// "--flag VALUE" or "--flag=VALUE" in an argument list; undefined when absent.
function flagValue(args, flag) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) return args[i + 1];
    if (typeof args[i] === "string" && args[i].startsWith(flag + "=")) return args[i].slice(flag.length + 1);
  }
  return undefined;
}
function portOf(addr) {
  if (typeof addr !== "string") return undefined;
  const m = /:(\d+)$/.exec(addr);
  return m ? Number(m[1]) : undefined;
}
// A port reference (number or IANA name) to the container's port number.
function containerPort(container, ref) {
  if (typeof ref === "number") return ref;
  if (typeof ref === "string" && /^\d+$/.test(ref)) return Number(ref);
  const p = (container.ports || []).find((x) => x.name === ref);
  return p ? p.containerPort : undefined;
}
function selectorMatches(selector, labels) {
  if (!isObj(selector)) return false;
  const ml = selector.matchLabels || {};
  for (const [k, v] of Object.entries(ml)) if (!labels || labels[k] !== v) return false;
  for (const e of selector.matchExpressions || []) {
    const has = labels && Object.prototype.hasOwnProperty.call(labels, e.key);
    const val = has ? labels[e.key] : undefined;
    if (e.operator === "In" && !(has && e.values.includes(val))) return false;
    if (e.operator === "NotIn" && has && e.values.includes(val)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return Object.keys(ml).length > 0 || (selector.matchExpressions || []).length > 0;
}

// The webhook's Deployment, container and the ports its flags name.
function workload(objs, errs) {
  const dep = one(objs, "Deployment", errs);
  if (!dep) return null;
  const pod = dep.spec && dep.spec.template && dep.spec.template.spec;
  const containers = (pod && pod.containers) || [];
  const c = containers.find((x) => x.name === "sparkhook") || (containers.length === 1 ? containers[0] : null);
  if (!c) {
    errs.push("Deployment has no container named sparkhook");
    return null;
  }
  const args = [...(c.command || []), ...(c.args || [])];
  return {
    dep, pod, c, args,
    listenPort: portOf(flagValue(args, "--listen") ?? "0.0.0.0:8443"), // the CLI default
    probePort: portOf(flagValue(args, "--probe-listen")),
    labels: (dep.spec.template.metadata && dep.spec.template.metadata.labels) || {},
  };
}
// The volume mounted at dir (or its parent), with its mount.
function volumeAt(w, dir) {
  const m = (w.c.volumeMounts || []).find((x) => x.mountPath.replace(/\/+$/, "") === dir);
  if (!m) return null;
  const v = (w.pod.volumes || []).find((x) => x.name === m.name);
  return v ? { mount: m, volume: v } : null;
}

// ---------------------------------------------------------------- schema (kubernetes-models)

async function modelFor(obj) {
  const gv = obj.apiVersion;
  const mod = await import(`kubernetes-models/${gv}/${obj.kind}`);
  return mod[obj.kind];
}
function schemaErrors(e) {
  return String(e && e.message ? e.message : e).split(/,\s*(?=data)/).map((s) => s.replace(/^data\/?/, "").replace(/\//g, "."));
}

// Unknown fields. kubernetes-models' validators accept any extra key, so the property names
// are read from its generated TypeScript declarations and the object is walked with them
// (the approach of shared/verifier/lib/schema.mjs, for every kind instead of Pod only).
const dtsFiles = new Map(); // file -> Map(local name -> {kind:"iface", fields} | {kind:"alias", expr})
const canonical = new Map(); // IIoK8s... -> {file, local}
let dtsLoaded = false;

function listDts(dir, acc = []) {
  if (!fs.existsSync(dir)) return acc;
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name);
    if (ent.isDirectory()) {
      if (ent.name !== "node_modules" && ent.name !== "_schemas") listDts(p, acc);
    } else if (ent.name.endsWith(".d.ts")) acc.push(p);
  }
  return acc;
}
function splitTop(s, sep) {
  const out = [];
  let depth = 0, cur = "", inStr = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (inStr) {
      cur += ch;
      if (ch === inStr && s[i - 1] !== "\\") inStr = null;
      continue;
    }
    if (ch === '"' || ch === "'") { inStr = ch; cur += ch; continue; }
    if ("{<([".includes(ch)) depth++;
    if ("}>)]".includes(ch)) depth--;
    if (ch === sep && depth === 0) { out.push(cur); cur = ""; continue; }
    cur += ch;
  }
  if (cur.trim() !== "") out.push(cur);
  return out;
}
function parseDts(file) {
  const src = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const locals = new Map();
  const ifaceRe = /export interface (\w+)(?:\s+extends\s+[\w.,\s<>]+)?\s*\{/g;
  let m;
  while ((m = ifaceRe.exec(src))) {
    const open = src.indexOf("{", m.index + m[0].length - 1);
    let depth = 0, close = -1;
    for (let i = open; i < src.length && close < 0; i++) {
      if (src[i] === "{") depth++;
      else if (src[i] === "}" && --depth === 0) close = i;
    }
    const fields = new Map();
    for (const entry of splitTop(src.slice(open + 1, close), ";")) {
      const fm = /^"?([^"?:]+)"?\s*\??\s*:\s*([\s\S]+)$/.exec(entry.trim());
      if (fm) fields.set(fm[1], fm[2].trim());
    }
    locals.set(m[1], { kind: "iface", fields });
  }
  const aliasRe = /export type (\w+)\s*=\s*([^;]+);/g;
  while ((m = aliasRe.exec(src))) locals.set(m[1], { kind: "alias", expr: m[2].trim() });
  const exportRe = /export type \{([^}]*)\}/g;
  while ((m = exportRe.exec(src))) {
    for (const part of m[1].split(",")) {
      const pm = /(\w+)\s+as\s+(\w+)/.exec(part);
      if (pm && locals.has(pm[1])) canonical.set(pm[2], { file, local: pm[1] });
    }
  }
  dtsFiles.set(file, locals);
}
function loadDts() {
  if (dtsLoaded) return;
  for (const d of [path.join(nodeModules, "kubernetes-models"), path.join(nodeModules, "@kubernetes-models", "apimachinery")]) {
    for (const f of listDts(d)) parseDts(f);
  }
  if (!canonical.has("IIoK8sApiCoreV1Pod")) throw new Error("kubernetes-models declarations not found (npm ci in test/deploy)");
  dtsLoaded = true;
}
const PRIM = { t: "prim" };
const ANY = { t: "any" };
function parseType(expr, file) {
  let s = expr.trim();
  while (s.startsWith("(") && s.endsWith(")")) s = s.slice(1, -1).trim();
  const alts = splitTop(s, "|").map((x) => x.trim()).filter((x) => x && x !== "null" && x !== "undefined");
  if (alts.length > 1) {
    const nonPrim = alts.map((a) => parseType(a, file)).filter((n) => n.t !== "prim");
    return nonPrim.length ? nonPrim[0] : PRIM;
  }
  s = alts[0] ?? "";
  let m;
  if ((m = /^Array<([\s\S]+)>$/.exec(s))) return { t: "array", of: parseType(m[1], file) };
  if ((m = /^\{\s*\[\w+\s*:\s*string\]\s*:\s*([\s\S]+?);?\s*\}$/.exec(s))) return { t: "map", of: parseType(m[1], file) };
  if (s.startsWith("{")) return ANY;
  if (/^(string|number|boolean|"[^"]*"|'[^']*'|-?\d+(\.\d+)?|true|false)$/.test(s)) return PRIM;
  if (/^\w+\[/.test(s)) return PRIM; // IDeployment["apiVersion"]
  if (/^(any|unknown|object)$/.test(s)) return ANY;
  if (/^\w+$/.test(s)) return { t: "ref", name: s, file };
  return ANY;
}
function resolveType(node) {
  let n = node;
  for (let guard = 0; n.t === "ref" && guard < 20; guard++) {
    let def = dtsFiles.has(n.file) ? dtsFiles.get(n.file).get(n.name) : undefined;
    let defFile = n.file;
    if (!def && canonical.has(n.name)) {
      const c = canonical.get(n.name);
      def = dtsFiles.get(c.file).get(c.local);
      defFile = c.file;
    }
    if (!def) return ANY;
    if (def.kind === "alias") { n = parseType(def.expr, defFile); continue; }
    return { t: "iface", fields: def.fields, file: defFile };
  }
  return n;
}
function walkFields(value, node, p, errs) {
  if (value === null || value === undefined) return;
  const n = resolveType(node);
  if (n.t === "iface") {
    if (n.fields.size === 0 || !isObj(value)) return; // free-form (FieldsV1), or a type error reported by validate()
    for (const [k, v] of Object.entries(value)) {
      if (!n.fields.has(k)) errs.push(`${p ? p + "." : ""}${k}: unknown field`);
      else walkFields(v, parseType(n.fields.get(k), n.file), `${p ? p + "." : ""}${k}`, errs);
    }
  } else if (n.t === "array" && Array.isArray(value)) {
    value.forEach((v, i) => walkFields(v, n.of, `${p}[${i}]`, errs));
  } else if (n.t === "map" && isObj(value)) {
    for (const [k, v] of Object.entries(value)) walkFields(v, n.of, `${p}[${JSON.stringify(k)}]`, errs);
  }
}
function unknownFields(obj) {
  loadDts();
  const dts = path.join(nodeModules, "kubernetes-models", obj.apiVersion, `${obj.kind}.d.ts`);
  const m = /export type \{\s*\w+ as (IIoK8s\w+)/.exec(fs.readFileSync(dts, "utf8"));
  if (!m) return [`${id(obj)}: no type declaration for ${obj.apiVersion}/${obj.kind}`];
  const errs = [];
  walkFields(obj, { t: "ref", name: m[1], file: "" }, "", errs);
  return errs.map((e) => `${id(obj)}: ${e}`);
}

// kustomize writes generated Secret data (and so the caBundle copied from it) as base64 wrapped
// at 70 columns. The API server decodes []byte fields with Go's base64, which skips \r and \n;
// the JSON schema's "byte" format does not, so those two characters are removed first.
function byteFieldsUnwrapped(obj) {
  const o = structuredClone(obj);
  const unwrap = (s) => (typeof s === "string" ? s.replace(/[\r\n]/g, "") : s);
  if (o.kind === "Secret" && isObj(o.data)) for (const k of Object.keys(o.data)) o.data[k] = unwrap(o.data[k]);
  if (/WebhookConfiguration$/.test(o.kind)) {
    for (const h of o.webhooks || []) if (h.clientConfig && h.clientConfig.caBundle) h.clientConfig.caBundle = unwrap(h.clientConfig.caBundle);
  }
  return o;
}

// cert-manager.io/v1 by hand: the fields its CRDs require, and the Issuer types it knows.
const ISSUER_TYPES = ["selfSigned", "ca", "acme", "vault", "venafi"];
function certManagerErrors(obj) {
  const errs = [];
  const where = id(obj);
  if (!obj.metadata || !obj.metadata.name) errs.push(`${where}: metadata.name missing`);
  if (!obj.metadata || !obj.metadata.namespace) errs.push(`${where}: metadata.namespace missing (namespaced kind)`);
  const spec = obj.spec;
  if (!isObj(spec)) return [...errs, `${where}: spec missing`];
  if (obj.kind === "Issuer") {
    const types = ISSUER_TYPES.filter((t) => spec[t] !== undefined);
    if (types.length !== 1) errs.push(`${where}: spec needs exactly one of ${ISSUER_TYPES.join(", ")}, has ${types.length}`);
    if (spec.ca !== undefined && !(isObj(spec.ca) && typeof spec.ca.secretName === "string" && spec.ca.secretName))
      errs.push(`${where}: spec.ca.secretName missing`);
    if (spec.selfSigned !== undefined && !isObj(spec.selfSigned)) errs.push(`${where}: spec.selfSigned must be an object`);
  } else {
    if (typeof spec.secretName !== "string" || !spec.secretName) errs.push(`${where}: spec.secretName missing`);
    if (!isObj(spec.issuerRef) || typeof spec.issuerRef.name !== "string" || !spec.issuerRef.name)
      errs.push(`${where}: spec.issuerRef.name missing`);
    const subject = ["commonName", "dnsNames", "uris", "ipAddresses", "emailAddresses", "literalSubject"];
    if (!subject.some((k) => spec[k] !== undefined)) errs.push(`${where}: spec needs one of ${subject.join(", ")}`);
    if (spec.dnsNames !== undefined && !(Array.isArray(spec.dnsNames) && spec.dnsNames.every((d) => typeof d === "string")))
      errs.push(`${where}: spec.dnsNames must be a list of strings`);
    if (spec.isCA !== undefined && typeof spec.isCA !== "boolean") errs.push(`${where}: spec.isCA must be a boolean`);
    if (spec.privateKey !== undefined) {
      const pk = spec.privateKey;
      if (pk.algorithm !== undefined && !["RSA", "ECDSA", "Ed25519"].includes(pk.algorithm)) errs.push(`${where}: privateKey.algorithm ${pk.algorithm}`);
      if (pk.rotationPolicy !== undefined && !["Never", "Always"].includes(pk.rotationPolicy)) errs.push(`${where}: privateKey.rotationPolicy ${pk.rotationPolicy}`);
    }
    for (const k of ["duration", "renewBefore"]) {
      if (spec[k] !== undefined && !/^(\d+(\.\d+)?(h|m|s|ms))+$/.test(spec[k])) errs.push(`${where}: spec.${k} "${spec[k]}" is not a Go duration`);
    }
  }
  return errs;
}

// ---------------------------------------------------------------- manifest checks

const CHECKS = {
  // kubernetes-models validate() for every object, cert-manager kinds by hand.
  async schema(objs, errs) {
    for (const o of objs) {
      if (!o.apiVersion || !o.kind) { errs.push(`object without apiVersion/kind: ${JSON.stringify(o).slice(0, 80)}`); continue; }
      if (CERT_MANAGER_KINDS.has(`${o.apiVersion}/${o.kind}`)) { errs.push(...certManagerErrors(o)); continue; }
      let Model;
      try {
        Model = await modelFor(o);
      } catch {
        errs.push(`${id(o)}: ${o.apiVersion}/${o.kind} is not a Kubernetes kind known to kubernetes-models`);
        continue;
      }
      if (!Model) { errs.push(`${id(o)}: no model class for ${o.kind}`); continue; }
      try {
        new Model(byteFieldsUnwrapped(o)).validate();
      } catch (e) {
        errs.push(...schemaErrors(e).map((x) => `${id(o)}: ${x}`));
      }
    }
  },

  async "unknown-fields"(objs, errs) {
    for (const o of objs) if (!CERT_MANAGER_KINDS.has(`${o.apiVersion}/${o.kind}`)) errs.push(...unknownFields(o));
  },

  // Namespaces: namespaced objects live in the webhook's namespace, which exists and is labelled.
  async namespace(objs, errs) {
    const ns = one(objs, "Namespace", errs);
    if (!ns) return;
    if (ns.metadata.name !== NS) errs.push(`Namespace is ${ns.metadata.name}, expected ${NS}`);
    const labels = ns.metadata.labels || {};
    if (labels["kubernetes.io/metadata.name"] !== ns.metadata.name)
      errs.push(`Namespace lacks label kubernetes.io/metadata.name=${ns.metadata.name} (the webhook's exclusion uses it)`);
    const clusterScoped = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "MutatingWebhookConfiguration"]);
    for (const o of objs) {
      if (clusterScoped.has(o.kind)) {
        if (o.metadata.namespace) errs.push(`${id(o)}: cluster-scoped but has namespace ${o.metadata.namespace}`);
      } else if (o.metadata.namespace !== NS) errs.push(`${id(o)}: namespace ${o.metadata.namespace}, expected ${NS}`);
    }
  },

  async webhook(objs, errs, v) {
    const mwc = one(objs, "MutatingWebhookConfiguration", errs);
    if (!mwc) return;
    const hooks = mwc.webhooks || [];
    if (hooks.length !== 1) return void errs.push(`expected one webhook, found ${hooks.length}`);
    const h = hooks[0];
    const expect = (what, got, want) => { if (!same(got, want)) errs.push(`${what} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`); };
    expect("name", h.name, WEBHOOK);
    expect("sideEffects", h.sideEffects, "None");
    expect("timeoutSeconds", h.timeoutSeconds, 5);
    expect("admissionReviewVersions", h.admissionReviewVersions, ["v1", "v1beta1"]);
    expect("reinvocationPolicy", h.reinvocationPolicy, "IfNeeded");
    expect("matchPolicy", h.matchPolicy, "Equivalent");
    expect("failurePolicy", h.failurePolicy, v.failurePolicy || "Ignore");
    const rules = h.rules || [];
    if (rules.length !== 1) errs.push(`expected one rule, found ${rules.length}`);
    else {
      const r = rules[0];
      expect("rules[0].operations", r.operations, ["CREATE"]);
      expect("rules[0].apiGroups", r.apiGroups, [""]);
      expect("rules[0].apiVersions", r.apiVersions, ["v1"]);
      expect("rules[0].resources", r.resources, ["pods"]);
    }
    const objSel = (h.objectSelector && h.objectSelector.matchExpressions) || [];
    if (!objSel.some((e) => e.key === "spark-role" && e.operator === "In" && same(sorted(e.values || []), ["driver", "executor"])))
      errs.push("objectSelector lacks spark-role In (driver, executor)");
    // Exclusion: a NotIn on kubernetes.io/metadata.name holds whatever the other expressions say.
    const svcRef = (h.clientConfig && h.clientConfig.service) || {};
    const own = svcRef.namespace;
    const must = [...new Set([...SYSTEM_NAMESPACES, own, NS])];
    const sel = h.namespaceSelector || {};
    const excluded = new Set((sel.matchExpressions || [])
      .filter((e) => e.key === "kubernetes.io/metadata.name" && e.operator === "NotIn")
      .flatMap((e) => e.values || []));
    const missing = must.filter((n) => n && !excluded.has(n));
    if (missing.length) errs.push(`namespaceSelector does not exclude ${missing.join(", ")} (kubernetes.io/metadata.name NotIn)`);
    for (const n of must) if (n && selectorMatches(sel, { "kubernetes.io/metadata.name": n, "sparkhook.io/inject": "enabled" })) errs.push(`namespaceSelector matches ${n}`);
    // clientConfig: the Service in this render, its port, /mutate, no URL.
    if (h.clientConfig && h.clientConfig.url) errs.push("clientConfig.url is set: use clientConfig.service");
    expect("clientConfig.service.namespace", svcRef.namespace, NS);
    expect("clientConfig.service.path", svcRef.path, "/mutate");
    const svc = ofKind(objs, "Service").find((s) => s.metadata.name === svcRef.name && s.metadata.namespace === svcRef.namespace);
    if (!svc) errs.push(`clientConfig.service ${svcRef.namespace}/${svcRef.name} is not in the render`);
    else if (!(svc.spec.ports || []).some((p) => p.port === (svcRef.port ?? 443))) errs.push(`Service ${svcRef.name} has no port ${svcRef.port ?? 443}`);
    expect("clientConfig.service.port", svcRef.port, 443);
  },

  // Service port 443 -> targetPort -> the container port --listen binds; selector -> the pods.
  async service(objs, errs) {
    const w = workload(objs, errs);
    const svc = one(objs, "Service", errs);
    if (!w || !svc) return;
    if (!w.listenPort) return void errs.push("no port in --listen");
    if (!selectorMatches({ matchLabels: svc.spec.selector }, w.labels)) errs.push("Service selector does not select the Deployment's pods");
    const ports = svc.spec.ports || [];
    const p = ports.find((x) => x.port === 443);
    if (!p) return void errs.push("Service has no port 443");
    const target = containerPort(w.c, p.targetPort ?? p.port);
    if (target === undefined) errs.push(`targetPort ${JSON.stringify(p.targetPort)} names no container port`);
    else if (target !== w.listenPort) errs.push(`targetPort ${JSON.stringify(p.targetPort)} resolves to ${target}, but --listen uses ${w.listenPort}`);
    if (!(w.c.ports || []).some((x) => x.containerPort === w.listenPort && x.name === "https"))
      errs.push(`container port ${w.listenPort} (--listen) is not declared as "https"`);
    if (w.probePort !== undefined && ports.some((x) => containerPort(w.c, x.targetPort ?? x.port) === w.probePort))
      errs.push("the Service exposes the plain-HTTP probe port");
  },

  // ClusterRole: exactly get/list/watch on core namespaces and serviceaccounts; bound to the pod's SA.
  async rbac(objs, errs) {
    for (const k of ["Role", "RoleBinding"]) if (ofKind(objs, k).length) errs.push(`unexpected ${k}`);
    const role = one(objs, "ClusterRole", errs);
    const binding = one(objs, "ClusterRoleBinding", errs);
    const sa = one(objs, "ServiceAccount", errs);
    const w = workload(objs, errs);
    if (!role || !binding || !sa || !w) return;
    if (role.aggregationRule) errs.push("ClusterRole has an aggregationRule");
    const granted = new Set();
    for (const [i, r] of (role.rules || []).entries()) {
      if (r.nonResourceURLs) errs.push(`rules[${i}]: nonResourceURLs`);
      if (r.resourceNames) errs.push(`rules[${i}]: resourceNames (unexpected)`);
      for (const g of r.apiGroups || []) for (const res of r.resources || []) for (const verb of r.verbs || []) {
        if ([g, res, verb].some((x) => x.includes("*"))) errs.push(`rules[${i}]: wildcard in ${JSON.stringify([g, res, verb])}`);
        granted.add(JSON.stringify([g, res, verb]));
      }
    }
    const want = new Set();
    for (const g of RBAC_ALLOWED.groups) for (const res of RBAC_ALLOWED.resources) for (const verb of RBAC_ALLOWED.verbs) want.add(JSON.stringify([g, res, verb]));
    const extra = [...granted].filter((x) => !want.has(x));
    const lacking = [...want].filter((x) => !granted.has(x));
    if (extra.length) errs.push(`grants more than get/list/watch on namespaces,serviceaccounts: ${extra.join(" ")}`);
    if (lacking.length) errs.push(`lacks ${lacking.join(" ")}`);
    const ref = binding.roleRef || {};
    if (ref.kind !== "ClusterRole" || ref.name !== role.metadata.name || ref.apiGroup !== "rbac.authorization.k8s.io")
      errs.push(`ClusterRoleBinding roleRef ${JSON.stringify(ref)} is not ClusterRole ${role.metadata.name}`);
    const subjects = binding.subjects || [];
    if (subjects.length !== 1 || subjects[0].kind !== "ServiceAccount" || subjects[0].name !== sa.metadata.name || subjects[0].namespace !== sa.metadata.namespace)
      errs.push(`ClusterRoleBinding subjects ${JSON.stringify(subjects)} are not exactly ServiceAccount ${sa.metadata.namespace}/${sa.metadata.name}`);
    if (w.pod.serviceAccountName !== sa.metadata.name) errs.push(`pod serviceAccountName ${w.pod.serviceAccountName}, expected ${sa.metadata.name}`);
    if (w.pod.automountServiceAccountToken !== true) errs.push("pod automountServiceAccountToken is not true (sparkhook needs the API)");
  },

  // Liveness /healthz and readiness /readyz on the --probe-listen port.
  async probes(objs, errs) {
    const w = workload(objs, errs);
    if (!w) return;
    if (w.probePort === undefined) return void errs.push("no --probe-listen ADDR:PORT in the container args");
    for (const [kind, p] of [["livenessProbe", "/healthz"], ["readinessProbe", "/readyz"]]) {
      const probe = w.c[kind];
      const g = probe && probe.httpGet;
      if (!g) { errs.push(`${kind}: no httpGet`); continue; }
      if (g.path !== p) errs.push(`${kind}: path ${g.path}, expected ${p}`);
      if ((g.scheme || "HTTP") !== "HTTP") errs.push(`${kind}: scheme ${g.scheme}, the probe server is plain HTTP`);
      const port = containerPort(w.c, g.port);
      if (port !== w.probePort) errs.push(`${kind}: port ${JSON.stringify(g.port)} resolves to ${port}, --probe-listen uses ${w.probePort}`);
    }
    if (!(w.c.ports || []).some((x) => x.containerPort === w.probePort && x.name === "probes"))
      errs.push(`container port ${w.probePort} (--probe-listen) is not declared as "probes"`);
  },

  async "security-context"(objs, errs, v) {
    const w = workload(objs, errs);
    if (!w) return;
    const ps = w.pod.securityContext || {};
    const cs = w.c.securityContext || {};
    const eff = (k) => (cs[k] !== undefined ? cs[k] : ps[k]);
    const want = (what, got, val) => { if (!same(got, val)) errs.push(`${what} is ${JSON.stringify(got)}, expected ${JSON.stringify(val)}`); };
    want("pod runAsNonRoot", ps.runAsNonRoot, true);
    want("container runAsNonRoot", eff("runAsNonRoot"), true);
    want("container runAsUser", eff("runAsUser"), UID);
    want("container runAsGroup", eff("runAsGroup"), UID);
    want("container readOnlyRootFilesystem", cs.readOnlyRootFilesystem, true);
    want("container allowPrivilegeEscalation", cs.allowPrivilegeEscalation, false);
    if (cs.privileged === true) errs.push("container is privileged");
    const caps = cs.capabilities || {};
    if (!same(caps.drop, ["ALL"])) errs.push(`capabilities.drop is ${JSON.stringify(caps.drop)}, expected ["ALL"]`);
    if (caps.add && caps.add.length) errs.push(`capabilities.add ${JSON.stringify(caps.add)}`);
    want("seccompProfile.type", (eff("seccompProfile") || {}).type, "RuntimeDefault");
    want("priorityClassName", w.pod.priorityClassName, "system-cluster-critical");
    for (const k of ["hostPID", "hostIPC"]) if (w.pod[k]) errs.push(`${k} is set`);
    if (w.pod.hostNetwork && !(v.extra || []).includes("host-network")) errs.push("hostNetwork is set (only components/eks-custom-cni may)");
    if (w.c.image !== IMAGE) errs.push(`image ${w.c.image}, expected ${IMAGE}`);
    const r = w.c.resources || {};
    if (!r.requests || !r.requests.cpu || !r.requests.memory) errs.push("resources.requests cpu/memory missing");
    if (!r.limits || !r.limits.memory) errs.push("resources.limits.memory missing");
    if (w.pod.hostNetwork) {
      const ns = ofKind(objs, "Namespace")[0];
      const enforce = ns && ns.metadata.labels && ns.metadata.labels["pod-security.kubernetes.io/enforce"];
      if (enforce && enforce !== "privileged") errs.push(`hostNetwork pod in a namespace enforcing "${enforce}" Pod Security: it would be rejected`);
    }
  },

  // Two replicas, a PDB that keeps one, spread over nodes.
  async availability(objs, errs) {
    const w = workload(objs, errs);
    const pdb = one(objs, "PodDisruptionBudget", errs);
    if (!w) return;
    if (w.dep.spec.replicas !== 2) errs.push(`replicas ${JSON.stringify(w.dep.spec.replicas)}, expected 2`);
    if (!selectorMatches(w.dep.spec.selector, w.labels)) errs.push("Deployment selector does not match its template labels");
    if (pdb) {
      if (pdb.spec.minAvailable !== 1) errs.push(`PDB minAvailable ${JSON.stringify(pdb.spec.minAvailable)}, expected 1`);
      if (!selectorMatches(pdb.spec.selector, w.labels)) errs.push("PDB selector does not select the webhook's pods");
    }
    const anti = w.pod.affinity && w.pod.affinity.podAntiAffinity;
    const pref = (anti && anti.preferredDuringSchedulingIgnoredDuringExecution) || [];
    if (!pref.some((t) => t.podAffinityTerm && t.podAffinityTerm.topologyKey === "kubernetes.io/hostname" && selectorMatches(t.podAffinityTerm.labelSelector, w.labels)))
      errs.push("no preferred podAntiAffinity on kubernetes.io/hostname selecting the webhook's pods");
  },

  // TLS Secret and ConfigMap are mounted where the flags point; config.json passes check-config.
  async config(objs, errs, v, opts) {
    const w = workload(objs, errs);
    if (!w) return;
    for (const flag of ["--tls-cert", "--tls-key"]) {
      const f = flagValue(w.args, flag);
      const at = f && volumeAt(w, path.posix.dirname(f));
      if (!at || !at.volume.secret) errs.push(`${flag} ${f}: no Secret volume mounted at its directory`);
      else {
        if (at.mount.readOnly !== true) errs.push(`${flag}: mount is not readOnly`);
        if (at.volume.secret.secretName !== "sparkhook-tls") errs.push(`${flag}: Secret ${at.volume.secret.secretName}, expected sparkhook-tls`);
        if (!["tls.crt", "tls.key"].includes(path.posix.basename(f))) errs.push(`${flag}: ${f} is not tls.crt/tls.key`);
      }
    }
    const file = flagValue(w.args, "--config");
    const at = file && volumeAt(w, path.posix.dirname(file));
    if (!at || !at.volume.configMap) return void errs.push(`--config ${file}: no ConfigMap volume mounted at its directory`);
    if (at.mount.readOnly !== true) errs.push("config mount is not readOnly");
    const cm = ofKind(objs, "ConfigMap").find((c) => c.metadata.name === at.volume.configMap.name);
    if (!cm) return void errs.push(`ConfigMap ${at.volume.configMap.name} is not in the render`);
    const text = cm.data && cm.data[path.posix.basename(file)];
    if (typeof text !== "string") return void errs.push(`ConfigMap ${cm.metadata.name} has no key ${path.posix.basename(file)}`);
    let cfg;
    try {
      cfg = JSON.parse(text);
    } catch (e) {
      return void errs.push(`config.json is not JSON: ${e.message}`);
    }
    if (!isObj(cfg)) return void errs.push("config.json is not an object");
    const extra = Object.keys(cfg).filter((k) => !CONFIG_SECTIONS.includes(k));
    if (extra.length) errs.push(`config.json has sections ${extra.join(", ")} (known: ${CONFIG_SECTIONS.join(", ")})`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sparkhook-cfg-"));
    try {
      const f = path.join(tmp, "config.json");
      fs.writeFileSync(f, text);
      const r = spawnSync(opts.sparkhook, ["check-config", f], { encoding: "utf8", timeout: 30000 });
      if (r.error) errs.push(`cannot run ${opts.sparkhook}: ${r.error.message}`);
      else if (r.status !== 0) errs.push(`sparkhook check-config exited ${r.status}: ${(r.stderr || "").trim().split("\n").slice(-2).join(" ")}`);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  },

  // Where the serving certificate and the caBundle come from.
  async certificates(objs, errs, v) {
    const mwc = ofKind(objs, "MutatingWebhookConfiguration")[0];
    if (!mwc) return void errs.push("no MutatingWebhookConfiguration");
    const ann = (mwc.metadata.annotations || {})["cert-manager.io/inject-ca-from"];
    const bundles = (mwc.webhooks || []).map((h) => h.clientConfig && h.clientConfig.caBundle);
    const svc = (mwc.webhooks[0].clientConfig || {}).service || {};
    const dns = `${svc.name}.${svc.namespace}.svc`;
    const secrets = ofKind(objs, "Secret");
    const certs = ofKind(objs, "Certificate");
    if (v.certs === "none") {
      if (ann) errs.push("inject-ca-from annotation without cert-manager");
      if (bundles.some(Boolean)) errs.push("a caBundle without a certificate component");
      if (secrets.length || certs.length) errs.push("the base alone must not carry certificates");
    } else if (v.certs === "cert-manager") {
      if (secrets.length) errs.push("a Secret in the render: cert-manager writes sparkhook-tls");
      if (bundles.some(Boolean)) errs.push("a static caBundle: the CA injector owns it");
      const serving = certs.find((c) => c.spec && c.spec.secretName === "sparkhook-tls");
      if (!serving) return void errs.push("no Certificate writes Secret sparkhook-tls");
      if (ann !== `${serving.metadata.namespace}/${serving.metadata.name}`)
        errs.push(`cert-manager.io/inject-ca-from is ${JSON.stringify(ann)}, expected ${serving.metadata.namespace}/${serving.metadata.name}`);
      if (!(serving.spec.dnsNames || []).includes(dns)) errs.push(`serving Certificate dnsNames lack ${dns}`);
      if (serving.spec.isCA) errs.push("serving Certificate is a CA");
      // Every issuerRef names an Issuer in the render; a CA Issuer's secret is a CA Certificate's.
      for (const c of certs) {
        const ref = c.spec.issuerRef || {};
        const iss = ofKind(objs, "Issuer").find((i) => i.metadata.name === ref.name && i.metadata.namespace === c.metadata.namespace);
        if ((ref.kind || "Issuer") !== "Issuer" || !iss) errs.push(`Certificate ${c.metadata.name}: issuerRef ${JSON.stringify(ref)} is not an Issuer in the render`);
        else if (iss.spec.ca && !certs.some((x) => x.spec.isCA && x.spec.secretName === iss.spec.ca.secretName))
          errs.push(`Issuer ${iss.metadata.name}: CA secret ${iss.spec.ca.secretName} is written by no CA Certificate`);
      }
    } else if (v.certs === "static") {
      if (ann) errs.push("inject-ca-from annotation with static certificates");
      const s = secrets.find((x) => x.metadata.name === "sparkhook-tls");
      if (!s) return void errs.push("no Secret sparkhook-tls");
      if (s.type !== "kubernetes.io/tls") errs.push(`Secret type ${s.type}, expected kubernetes.io/tls`);
      const data = s.data || {};
      const missing = ["tls.crt", "tls.key", "ca.crt"].filter((k) => !data[k]);
      if (missing.length) return void errs.push(`Secret lacks ${missing.join(", ")}`);
      const b64 = (x) => String(x).replace(/\s+/g, "");
      if (!bundles.every((b) => b && b64(b) === b64(data["ca.crt"]))) errs.push("caBundle is not the Secret's ca.crt");
      const ca = new crypto.X509Certificate(Buffer.from(b64(data["ca.crt"]), "base64"));
      const leaf = new crypto.X509Certificate(Buffer.from(b64(data["tls.crt"]), "base64"));
      if (!leaf.verify(ca.publicKey)) errs.push("tls.crt is not signed by ca.crt");
      if (!(leaf.subjectAltName || "").split(/,\s*/).includes(`DNS:${dns}`)) errs.push(`tls.crt has no SAN DNS:${dns}`);
      const key = crypto.createPrivateKey(Buffer.from(b64(data["tls.key"]), "base64"));
      if (!same(crypto.createPublicKey(key).export({ format: "jwk" }), leaf.publicKey.export({ format: "jwk" })))
        errs.push("tls.key does not match tls.crt");
    } else errs.push(`unknown certs mode ${v.certs}`);
  },
};

// Checks only some variants have.
const EXTRA_CHECKS = {
  async aks(objs, errs) {
    const mwc = one(objs, "MutatingWebhookConfiguration", errs);
    if (mwc && (mwc.metadata.annotations || {})["admissions.enforcer/disabled"] !== "true")
      errs.push('no annotation admissions.enforcer/disabled: "true"');
  },
  async "namespace-label"(objs, errs) {
    const mwc = one(objs, "MutatingWebhookConfiguration", errs);
    if (!mwc) return;
    const sel = mwc.webhooks[0].namespaceSelector || {};
    if (!(sel.matchExpressions || []).some((e) => e.key === "sparkhook.io/inject" && e.operator === "In" && same(e.values, ["enabled"])))
      errs.push("namespaceSelector lacks sparkhook.io/inject In (enabled)");
    if (selectorMatches(sel, { "kubernetes.io/metadata.name": "spark-jobs" })) errs.push("an unlabelled namespace is still selected");
    if (!selectorMatches(sel, { "kubernetes.io/metadata.name": "spark-jobs", "sparkhook.io/inject": "enabled" })) errs.push("a labelled namespace is not selected");
  },
  async "host-network"(objs, errs) {
    const w = workload(objs, errs);
    if (!w) return;
    if (w.pod.hostNetwork !== true) errs.push("hostNetwork is not true");
    if (w.pod.dnsPolicy !== "ClusterFirstWithHostNet") errs.push(`dnsPolicy ${w.pod.dnsPolicy}, expected ClusterFirstWithHostNet`);
    if (w.listenPort === 10250) errs.push("--listen still on 10250, the kubelet's port on the host network");
    if ((w.c.ports || []).some((p) => p.containerPort === 10250)) errs.push("a container port is still 10250");
  },
};

async function manifests(opts) {
  const v = VARIANTS[opts.variant];
  if (!v) {
    report(`${opts.name} variant`, [`unknown variant ${opts.variant}: add it to VARIANTS in test/deploy/validate.mjs`]);
    return;
  }
  let objs;
  try {
    objs = loadRender(opts.file);
  } catch (e) {
    report(`${opts.name} parse`, [e.message]);
    return;
  }
  for (const [name, fn] of Object.entries(CHECKS)) await check(`${opts.name} ${name}`, (errs) => fn(objs, errs, v, opts));
  for (const name of v.extra || []) await check(`${opts.name} ${name}`, (errs) => EXTRA_CHECKS[name](objs, errs, v, opts));
}

// ---------------------------------------------------------------- Dockerfile

// Instructions with their continuation lines joined; comments dropped.
function dockerInstructions(text) {
  const out = [];
  let cur = "";
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    if (!cur && (/^\s*#/.test(line) || !line.trim())) continue;
    if (cur && /^\s*#/.test(line)) continue;
    if (/\\\s*$/.test(line)) { cur += line.replace(/\\\s*$/, " "); continue; }
    cur += line;
    const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(cur);
    if (m) out.push({ op: m[1].toUpperCase(), arg: m[2].trim() });
    cur = "";
  }
  return out;
}
function stages(instrs) {
  const st = [];
  for (const i of instrs) {
    if (i.op === "FROM") st.push({ from: i.arg.split(/\s+/)[0], name: (/\sAS\s+(\S+)/i.exec(i.arg) || [])[1], instrs: [] });
    else if (st.length) st[st.length - 1].instrs.push(i);
  }
  return st;
}
function aptPackages(stage) {
  const pkgs = [];
  for (const i of stage.instrs.filter((x) => x.op === "RUN")) {
    for (const cmd of i.arg.split(/&&|;|\|\|/)) {
      const words = cmd.trim().split(/\s+/);
      const at = words.indexOf("install");
      if (words[0] === "apt-get" && at > 0) pkgs.push(...words.slice(at + 1).filter((w) => !w.startsWith("-")));
    }
  }
  return pkgs;
}
function ciBuildList(depsText) {
  const m = /^BUILD="([^"]*)"/m.exec(depsText);
  if (!m) throw new Error('no BUILD="..." in .ci/deps');
  return m[1].split(/\s+/).filter(Boolean);
}

async function dockerfile(opts) {
  const text = fs.readFileSync(opts.dockerfile, "utf8");
  const st = stages(dockerInstructions(text));
  const build = st[0];
  const run = st[st.length - 1];
  await check("dockerfile stages", (errs) => {
    if (st.length < 2) errs.push(`${st.length} stage(s), expected a build and a runtime stage`);
    if (!build || build.from !== "debian:bookworm") errs.push(`build stage FROM ${build && build.from}, expected debian:bookworm`);
    if (!run || !["debian:bookworm-slim", "gcr.io/distroless/cc-debian12:nonroot"].includes(run.from))
      errs.push(`runtime stage FROM ${run && run.from}, expected debian:bookworm-slim or gcr.io/distroless/cc-debian12:nonroot`);
    const cmake = build ? build.instrs.filter((i) => i.op === "RUN" && /cmake/.test(i.arg)).map((i) => i.arg).join(" ") : "";
    if (!/-DCMAKE_BUILD_TYPE=Release/.test(cmake)) errs.push("build stage does not configure with -DCMAKE_BUILD_TYPE=Release");
    if (!/--target\s+sparkhook\b/.test(cmake)) errs.push("build stage does not build --target sparkhook");
    if (run && !run.instrs.some((i) => i.op === "COPY" && /--from=/.test(i.arg))) errs.push("runtime stage copies nothing from the build stage");
  });
  await check("dockerfile build-packages-match-ci-deps", (errs) => {
    const want = ciBuildList(fs.readFileSync(opts.deps, "utf8"));
    const got = build ? aptPackages(build) : [];
    const missing = want.filter((p) => !got.includes(p));
    const extra = got.filter((p) => !want.includes(p));
    if (missing.length) errs.push(`missing from the Dockerfile: ${missing.join(" ")}`);
    if (extra.length) errs.push(`not in .ci/deps BUILD: ${extra.join(" ")}`);
    if (new Set(got).size !== got.length) errs.push("duplicate packages");
    const inst = build ? build.instrs.filter((i) => i.op === "RUN" && /apt-get install/.test(i.arg)) : [];
    if (!inst.length || !inst.every((i) => /--no-install-recommends/.test(i.arg))) errs.push("apt-get install without --no-install-recommends");
  });
  await check("dockerfile runtime", (errs) => {
    if (!run) return void errs.push("no runtime stage");
    const last = (op) => run.instrs.filter((i) => i.op === op).pop();
    const json = (i) => { try { return JSON.parse(i.arg); } catch { return null; } };
    const user = last("USER");
    if (!user || user.arg !== `${UID}:${UID}`) errs.push(`USER ${user && user.arg}, expected ${UID}:${UID}`);
    const ep = last("ENTRYPOINT");
    if (!ep || !same(json(ep), ["/usr/local/bin/sparkhook"])) errs.push(`ENTRYPOINT ${ep && ep.arg}, expected exec form ["/usr/local/bin/sparkhook"]`);
    const objs = loadRender(opts.base);
    const w = workload(objs, errs);
    const cmd = last("CMD");
    if (w && (!cmd || !same(json(cmd), w.c.args))) errs.push(`CMD ${cmd && cmd.arg} differs from the Deployment's args ${JSON.stringify(w && w.c.args)}`);
    const exposed = run.instrs.filter((i) => i.op === "EXPOSE").flatMap((i) => i.arg.split(/\s+/)).map((p) => Number(p.split("/")[0]));
    if (w) for (const p of [w.listenPort, w.probePort]) if (!exposed.includes(p)) errs.push(`port ${p} not EXPOSEd`);
    if (run.from.startsWith("debian:")) {
      const apt = run.instrs.filter((i) => i.op === "RUN" && /apt-get install/.test(i.arg));
      if (!apt.every((i) => /--no-install-recommends/.test(i.arg) && /rm -rf \/var\/lib\/apt\/lists/.test(i.arg)))
        errs.push("runtime apt-get install without --no-install-recommends or without removing /var/lib/apt/lists");
      const pk = apt.flatMap((i) => aptPackages({ instrs: [i] }));
      const needed = ["libmicrohttpd12", "libcjson1", "libjwt0", "libssl3", "libcurl4"];
      const lack = needed.filter((p) => !pk.includes(p));
      if (lack.length) errs.push(`runtime stage lacks ${lack.join(" ")}`);
      const dev = pk.filter((p) => /-dev$/.test(p) || ["build-essential", "cmake", "clang", "gcc"].includes(p));
      if (dev.length) errs.push(`build packages in the runtime stage: ${dev.join(" ")}`);
    }
  });
  await check("dockerignore", (errs) => {
    const lines = fs.readFileSync(opts.dockerignore, "utf8").split("\n").map((l) => l.trim().replace(/\/+$/, ""));
    for (const p of ["build*", ".git"]) if (!lines.includes(p)) errs.push(`.dockerignore does not exclude ${p}`);
  });
}

// ---------------------------------------------------------------- main

const [mode, ...rest] = process.argv.slice(2);
const opts = {};
for (let i = 0; i < rest.length; i++) {
  const a = rest[i];
  if (a.startsWith("--")) {
    if (i + 1 >= rest.length) usage(`${a} needs a value`);
    opts[a.slice(2)] = rest[++i];
  } else if (!opts.file) opts.file = a;
  else usage(`unexpected argument ${a}`);
}
if (mode === "manifests") {
  for (const k of ["name", "variant", "sparkhook", "file"]) if (!opts[k]) usage(`manifests: --${k} missing`);
  await manifests(opts);
} else if (mode === "dockerfile") {
  for (const k of ["dockerfile", "dockerignore", "deps", "base"]) if (!opts[k]) usage(`dockerfile: --${k} missing`);
  await dockerfile(opts);
} else usage(mode ? `unknown mode ${mode}` : "missing mode");
process.exit(failed ? 1 : 0);
