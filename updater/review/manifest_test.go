package review

import (
	"maps"
	"testing"
)

func TestManifestKind(t *testing.T) {
	for p, want := range map[string]string{
		"package.json": kindNPM, "a/b/composer.json": kindComposer, "requirements.txt": kindPip,
		"requirements-dev.txt": kindPip, "requirements/base.txt": kindPip, "constraints.in": kindPip,
		"pyproject.toml": kindPyproject, "Pipfile": kindPipfile, "setup.py": kindSetup, "go.mod": kindGoMod,
		"Cargo.toml": kindCargo, "Gemfile": kindGemfile, "x.gemspec": kindGemspec, "pom.xml": kindMaven,
		"build.gradle.kts": kindGradle, "src/App.csproj": kindNuGet,
		"README.txt": "", "package-lock.json": "", "go.sum": "", "docs/requirements.md": "",
	} {
		if got := manifestKind(p); got != want {
			t.Errorf("manifestKind(%q) = %q, want %q", p, got, want)
		}
	}
}

// specs flattens a depSet to key → spec for comparison.
func specs(d depSet) map[string]string {
	m := map[string]string{}
	for k, v := range d {
		m[k] = v.Spec
	}
	return m
}

func TestParseDeps(t *testing.T) {
	tests := []struct {
		name, kind, content string
		want                map[string]string
	}{
		{"npm sections", kindNPM, `{"dependencies":{"zod":"^3.23.0"},"devDependencies":{"typescript":"5.6.2"},"optionalDependencies":{"fsevents":2},"bundleDependencies":["zod"]}`,
			map[string]string{"zod": "^3.23.0", "typescript (dev)": "5.6.2", "fsevents (optional)": "2", "zod (bundled)": ""}},
		{"npm not an object", kindNPM, `[1,2]`, nil},
		{"composer", kindComposer, `{"require":{"php":">=8.1","guzzlehttp/guzzle":"^7"},"require-dev":{"phpunit/phpunit":"^10"}}`,
			map[string]string{"php": ">=8.1", "guzzlehttp/guzzle": "^7", "phpunit/phpunit (dev)": "^10"}},
		{"requirements", kindPip, "# comment\nMCP[cli]==1.2.0  # pinned\nhttpx>=0.27; python_version>'3.8'\n-r base.txt\n--extra-index-url https://pypi.evil.test/simple\n-e git+https://github.com/x/y#egg=y\nfoo_bar.baz @ https://x.test/f.whl\n\n",
			map[string]string{"mcp": "==1.2.0", "httpx": ">=0.27; python_version>'3.8'", "index https://pypi.evil.test/simple": "https://pypi.evil.test/simple",
				"git+https://github.com/x/y#egg=y": "git+https://github.com/x/y#egg=y", "foo-bar-baz": "@ https://x.test/f.whl"}},
		{"pyproject", kindPyproject, `[project]
name = "weather"
dependencies = [
  "mcp[cli]>=1.2.0", # the SDK
  'httpx',
]
[project.optional-dependencies]
dev = ["pytest>=8"]
[build-system]
requires = ["hatchling"]
[tool.poetry.dependencies]
python = "^3.10"
Requests = "^2.31"
[[tool.uv.index]]
url = "https://pypi.evil.test/simple"
`, map[string]string{"mcp": ">=1.2.0", "httpx": "", "pytest (dev)": ">=8", "hatchling (build)": "", "requests": `"^2.31"`,
			"index https://pypi.evil.test/simple": "https://pypi.evil.test/simple"}},
		{"pipfile", kindPipfile, "[[source]]\nurl = \"https://pypi.org/simple\"\n[packages]\nrequests = \"*\"\n[dev-packages]\nblack = \"==24.1\"\n",
			map[string]string{"index https://pypi.org/simple": "https://pypi.org/simple", "requests": `"*"`, "black (dev)": `"==24.1"`}},
		{"cargo", kindCargo, "[package]\nname = \"x\"\nversion = \"0.1.0\"\n[dependencies]\nserde = { version = \"1\", features = [\"derive\"] }\ntokio = \"1.40\"\n[dev-dependencies]\ninsta = \"1\"\n[dependencies.evil]\ngit = \"https://x.test/evil\"\n[target.'cfg(unix)'.dependencies]\nlibc = \"0.2\"\n",
			map[string]string{"serde": `{ version = "1", features = ["derive"] }`, "tokio": `"1.40"`, "insta (dev)": `"1"`, "evil": `git="https://x.test/evil"`, "libc": `"0.2"`}},
		{"go.mod", kindGoMod, "module x\n\ngo 1.22\n\nrequire github.com/a/b v1.0.0\n\nrequire (\n\tgithub.com/c/d v0.2.0 // indirect\n\tgolang.org/x/sync v0.8.0\n)\n\nreplace github.com/a/b => github.com/evil/b v1.0.1\n",
			map[string]string{"github.com/a/b": "v1.0.0", "github.com/c/d": "v0.2.0", "golang.org/x/sync": "v0.8.0", "replace github.com/a/b": "github.com/evil/b v1.0.1"}},
		{"gemfile", kindGemfile, "source \"https://rubygems.org\"\ngem 'rails', '~> 7.1'\ngem \"evil\", git: \"https://x.test/evil\"\n",
			map[string]string{"index https://rubygems.org": "https://rubygems.org", "rails": "'~> 7.1'", "evil": `git: "https://x.test/evil"`}},
		{"gradle", kindGradle, "dependencies {\n  implementation(\"com.squareup.okhttp3:okhttp:4.12.0\")\n  testImplementation 'junit:junit:4.13'\n}\nrepositories { maven { url = uri(\"https://repo.evil.test\") } }\n",
			map[string]string{"com.squareup.okhttp3:okhttp": "4.12.0", "junit:junit": "4.13", "index https://repo.evil.test": "https://repo.evil.test"}},
		{"nuget", kindNuGet, `<Project><ItemGroup><PackageReference Include="Newtonsoft.Json" Version="13.0.3" /></ItemGroup></Project>`,
			map[string]string{"Newtonsoft.Json": "13.0.3"}},
		{"maven", kindMaven, `<project><dependencies><dependency><groupId>org.x</groupId><artifactId>core</artifactId><version>1.0</version></dependency></dependencies>
<build><plugins><plugin><groupId>org.y</groupId><artifactId>exec-plugin</artifactId></plugin></plugins></build>
<repositories><repository><url>https://repo.evil.test</url></repository></repositories></project>`,
			map[string]string{"org.x:core": "1.0", "org.y:exec-plugin (plugin)": "", "index https://repo.evil.test": "https://repo.evil.test"}},
		{"maven malformed", kindMaven, `<project><dependencies>`, nil},
		{"setup.py is not parsed", kindSetup, "setup()", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseDeps(tc.kind, []byte(tc.content))
			if tc.want == nil {
				if err == nil {
					t.Fatalf("want an error, got %v", specs(got))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(specs(got), tc.want) {
				t.Errorf("got  %q\nwant %q", specs(got), tc.want)
			}
		})
	}
}

func TestScanTOMLComments(t *testing.T) {
	got := scanTOML([]byte("[a]\nk = \"v # not a comment\" # comment\narr = [\n  \"x\", # c\n  \"y\"\n]\n"))
	want := []tomlEntry{{"a", "k", `"v # not a comment"`}, {"a", "arr", `[ "x", "y" ]`}}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: got %q, want %q", i, got[i], want[i])
		}
	}
}
