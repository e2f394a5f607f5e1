#!/usr/bin/python3
"""Collects the text seed corpora of the fuzz targets (tests/fuzz/README.md):
  corpus/expr_parser/  every string literal given to Eval/Compile/Fails in
                       tests/unit/expr/*.cc, and the expressions of JOB-SPEC.md
  corpus/job_loader/   jobs/*.yaml and tests/jobs/*/job.yaml
Run from the repository root: tests/fuzz/tools/collect_text_seeds.py
"""
import ast, glob, hashlib, os, re, shutil

root = os.getcwd()
out = os.path.join(root, "tests/fuzz/corpus")

def write(target, name, text):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "w") as f:
        f.write(text)

# Expressions: C++ string literals that are the first argument of the test helpers.
literal = r'"(?:[^"\\]|\\.)*"'
exprs = set()
for path in glob.glob("tests/unit/expr/*.cc") + glob.glob("tests/unit/runtime/*expr*.cc"):
    src = open(path).read()
    for m in re.finditer(r'\b(?:Eval|Compile|Fails|CompileError|Diag\w*)\(\s*(' + literal + r')', src):
        try:
            exprs.add(ast.literal_eval(m.group(1)))
        except Exception:
            pass
# Expressions in job files (filter:, fields, key_by:, event_time:, ...).
for path in glob.glob("jobs/*.yaml") + glob.glob("tests/jobs/*/job.yaml"):
    for line in open(path):
        m = re.match(r'\s*(?:filter|key_by|event_time|flat_map|key|[a-z_]+):\s*["\']?(.*?)["\']?\s*$', line)
        if m and any(op in m.group(1) for op in ("value.", "(", "==", " > ", " < ", "&&", "key")):
            exprs.add(m.group(1))
# Inline code in JOB-SPEC.md that looks like an expression.
spec = "/work/shared/JOB-SPEC.md"
if os.path.exists(spec):
    for code in re.findall(r'`([^`\n]+)`', open(spec).read()):
        if any(op in code for op in ("value.", "(", "==", "&&", "||", "?")) and ":" not in code[:12]:
            exprs.add(code)
for e in sorted(exprs):
    if e.strip():
        write("expr_parser", hashlib.sha1(e.encode()).hexdigest()[:16], e)

for path in sorted(glob.glob("jobs/*.yaml") + glob.glob("tests/jobs/*/job.yaml")):
    name = path.replace("/", "_").replace("tests_jobs_", "").replace("_job.yaml", ".yaml")
    shutil.copy(path, os.path.join(out, "job_loader", name) if os.path.isdir(os.path.join(out, "job_loader"))
                else (os.makedirs(os.path.join(out, "job_loader")) or os.path.join(out, "job_loader", name)))
print(len(exprs), "expressions,", len(glob.glob(os.path.join(out, "job_loader/*"))), "jobs")
