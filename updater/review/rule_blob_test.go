package review

import (
	"strings"
	"testing"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

func TestBinaryOrBlob(t *testing.T) {
	b64 := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3", 6)
	hexRun := strings.Repeat("deadbeef", 30)
	runRuleCases(t, RuleBinaryOrBlob, []ruleCase{
		{"ordinary code", newRange(modFile("src/a.js", "const a = 1;\n", "const a = 2;\n")), nil},
		{"deleted binary", newRange(binFile("bin/tool", ranges.FileDeleted)), nil},
		{"image", newRange(binFile("docs/logo.png", ranges.FileAdded)), []expect{{sev: Low, title: "media", evidence: []string{"docs/logo.png"}}}},
		{"unknown binary", newRange(binFile("data/model.dat", ranges.FileModified)), []expect{{sev: Medium, title: "Binary file"}}},
		{"native library", newRange(binFile("lib/addon.node", ranges.FileAdded)), []expect{{sev: High, title: "Executable or archive"}}},
		{"executable bit", newRange(func() ranges.FileChange {
			f := binFile("tools/helper", ranges.FileAdded)
			f.Mode = "executable"
			return f
		}()), []expect{{sev: High, title: "Executable"}}},
		{"base64 literal in code", newRange(addFile("src/payload.js", "const p = \""+b64+"\";\n")),
			[]expect{{sev: Medium, title: "encoded literal", evidence: []string{"src/payload.js:1"}}}},
		{"hex literal in code", newRange(addFile("src/p.py", "P = '"+hexRun+"'\n")),
			[]expect{{sev: Medium, title: "encoded literal"}}},
		{"base64 in an SVG is data", newRange(addFile("assets/icon.svg", "<image href=\"data:image/png;base64,"+b64+"\"/>\n")),
			[]expect{{sev: Low, title: "encoded literal"}}},
		{"short base64 is fine", newRange(addFile("src/a.js", "const sri = \"sha512-"+b64[:80]+"\";\n")), nil},
		{"minified line", newRange(addFile("dist/index.min.js", strings.Repeat("a=1;", 300)+"\n")),
			[]expect{{sev: Medium, title: "Minified", evidence: []string{"dist/index.min.js:1"}}}},
		{"lockfiles are skipped", newRange(addFile("package-lock.json", strings.Repeat("x", 2000)+"\n")), nil},
		{"eval of atob", newRange(addFile("src/index.js", "const x = 1;\neval(atob(payload));\n")),
			[]expect{{sev: High, title: "evaluates decoded", evidence: []string{"src/index.js:2"}}}},
		{"python exec of b64decode", newRange(addFile("src/run.py", "import base64\nexec(base64.b64decode(BLOB))\n")),
			[]expect{{sev: High, evidence: []string{"src/run.py:2"}}}},
		{"new Function of Buffer.from base64", newRange(addFile("src/x.ts", "new Function(Buffer.from(s, 'base64').toString())();\n")),
			[]expect{{sev: High}}},
		{"decode without eval", newRange(addFile("src/x.ts", "const img = Buffer.from(s, 'base64');\n")), nil},
		{"eval of decoded in a test", newRange(addFile("test/x.test.js", "eval(atob(p));\n")),
			[]expect{{sev: Medium, title: "evaluates decoded"}}},
		{"eval in prose is not code", newRange(addFile("README.md", "Never eval(atob(x)).\n")), nil},
	})
}
