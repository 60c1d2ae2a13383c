package review

import "testing"

func TestProcessExec(t *testing.T) {
	runRuleCases(t, RuleProcessExec, []ruleCase{
		{"no exec", newRange(modFile("src/a.ts", "const x = 1;\n", "const x = 2;\n")), nil},
		{"node child_process", newRange(modFile("src/tools.ts", "export {};\n",
			"import { exec } from \"node:child_process\";\nexport {};\nexec(`git ${args}`);\n")),
			[]expect{{sev: Medium, title: "src/tools.ts", evidence: []string{"src/tools.ts:1", "src/tools.ts:3"}}}},
		{"python os.system", newRange(addFile("src/srv.py", "import os\nos.system(cmd)\n")),
			[]expect{{sev: Medium, evidence: []string{"src/srv.py:2"}}}},
		{"go os/exec", newRange(addFile("cmd/x/main.go", "import (\n\t\"os/exec\"\n)\nfunc f() { exec.CommandContext(ctx, \"sh\") }\n")),
			[]expect{{sev: Medium, evidence: []string{"cmd/x/main.go:2", "cmd/x/main.go:4"}}}},
		{"java and rust", newRange(
			addFile("src/A.java", "Runtime.getRuntime().exec(cmd);\n"),
			addFile("src/main.rs", "let out = Command::new(\"ls\").output();\n")),
			[]expect{{sev: Medium, evidence: []string{"src/A.java:1"}}, {sev: Medium, evidence: []string{"src/main.rs:1"}}}},
		{"regexp exec and tokio spawn are not processes", newRange(addFile("src/a.ts", "const m = re.exec(s);\n"), addFile("src/b.rs", "tokio::spawn(async move {});\nthread::spawn(f);\n")), nil},
		{"in a test", newRange(addFile("tests/test_cli.py", "import subprocess\n")), []expect{{sev: Low}}},
		{"in docs", newRange(addFile("README.md", "Use subprocess.run to call it.\n")), nil},
		{"moved, not new", newRange(modFile("src/a.py", "import subprocess\nimport os\n", "import os\nimport subprocess\n")), nil},
	})
}
