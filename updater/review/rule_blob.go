package review

import (
	"path"
	"regexp"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

const (
	// longLine is where a line stops being something a person wrote.
	longLine = 1000
	// minEncoded is the shortest base64 or hex run reported as a blob;
	// lines shorter than it are not even looked at.
	minEncoded = 200
)

var (
	encodedRun = regexp.MustCompile(`[A-Za-z0-9+/]{200,}={0,2}|[0-9a-fA-F]{200,}`)
	evalCall   = regexp.MustCompile(`\b(eval|exec|execSync|Function|compile|runInThisContext|runInNewContext|setTimeout|setInterval|assert|create_function)\s*\(`)
	decodeCall = regexp.MustCompile(`(?i)\b(atob|b64decode|a85decode|b32decode|base64\.|fromCharCode|unhexlify|fromhex|codecs\.decode|zlib\.decompress|gzinflate|marshal\.loads|base64_decode|str_rot13|decodeURIComponent|unescape)\b|Buffer\.from\s*\([^)]*['"](base64|hex)['"]`)
)

var evalHints = newHints("eval", "exec", "function", "compile", "runin", "settimeout", "setinterval", "assert", "create_function")

// nativeExtensions are binaries that run: reported higher than images.
var nativeExtensions = map[string]bool{
	".exe": true, ".dll": true, ".so": true, ".dylib": true, ".node": true, ".bin": true, ".jar": true,
	".class": true, ".pyc": true, ".wasm": true, ".o": true, ".a": true, ".elf": true, ".msi": true,
	".whl": true, ".zip": true, ".tar": true, ".gz": true, ".tgz": true, ".xz": true, ".7z": true,
}

// mediaExtensions are binaries a server commonly ships and never runs.
var mediaExtensions = map[string]bool{
	".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".ico": true, ".webp": true, ".bmp": true,
	".woff": true, ".woff2": true, ".ttf": true, ".otf": true, ".eot": true, ".pdf": true, ".mp4": true, ".mp3": true,
}

// checkBinaryOrBlob reports what a diff does not let a reviewer read:
// binary files, minified lines, long encoded literals, and code that
// evaluates decoded data.
func checkBinaryOrBlob(r *ranges.Range) []Finding {
	var findings []Finding
	for i := range r.Files {
		f := &r.Files[i]
		if f.Status == ranges.FileDeleted || isLockfile(f.Path) {
			continue
		}
		if f.Binary {
			findings = append(findings, binaryFinding(r, f))
			continue
		}
		findings = append(findings, blobFindings(r, f)...)
	}
	return findings
}

func binaryFinding(r *ranges.Range, f *ranges.FileChange) Finding {
	ext := strings.ToLower(path.Ext(f.Path))
	fd := Finding{
		Severity:       Medium,
		Title:          "Binary file added or changed",
		Evidence:       []string{f.Path},
		Detail:         "The content cannot be reviewed as a diff.",
		Recommendation: "Find out how the file was produced; ask for it to be built from source instead of committed.",
	}
	switch {
	case nativeExtensions[ext] || f.Mode == "executable":
		fd.Severity = High
		fd.Title = "Executable or archive committed"
		fd.Detail = "Native code, bytecode or an archive can run or unpack anything, and cannot be reviewed as a diff."
	case mediaExtensions[ext]:
		fd.Severity = Low
		fd.Title = "Binary media file added or changed"
		fd.Detail = "Images and fonts are rarely harmful, but cannot be reviewed as a diff."
	}
	fd.Severity = weigh(r, f, fd.Severity)
	return fd
}

func blobFindings(r *ranges.Range, f *ranges.FileChange) []Finding {
	code := isCode(f.Path) || isBuildScript(f.Path) || strings.HasSuffix(strings.ToLower(f.Path), ".html")
	var long, encoded, eval evidence
	var lower []byte
	for _, l := range f.AddedLines {
		n := len(l.Text)
		if n > longLine {
			long.addLine(f.Path, l.No)
		}
		if n >= minEncoded && encodedRun.MatchString(l.Text) {
			encoded.addLine(f.Path, l.No)
		}
		if code {
			lower = appendLower(lower[:0], l.Text)
			if evalHints.in(lower) && evalCall.MatchString(l.Text) && decodeCall.MatchString(l.Text) {
				eval.addLine(f.Path, l.No)
			}
		}
	}
	blobSeverity := Medium
	if isData(f.Path) {
		blobSeverity = Low
	}
	var findings []Finding
	if !eval.empty() {
		findings = append(findings, Finding{
			Severity:       weighDocs(r, f, High),
			Title:          "Code evaluates decoded data",
			Evidence:       eval.items,
			Detail:         "eval/exec of base64, hex or char-code decoded data is how hidden payloads run." + eval.note(),
			Recommendation: "Decode the data and read what it runs; ask the upstream to ship it as plain source.",
		})
	}
	if !encoded.empty() {
		findings = append(findings, Finding{
			Severity:       weigh(r, f, blobSeverity),
			Title:          "Long encoded literal added",
			Evidence:       encoded.items,
			Detail:         "A base64 or hex run of 200+ characters hides its content from review." + encoded.note(),
			Recommendation: "Decode it and check what it is.",
		})
	}
	if !long.empty() {
		findings = append(findings, Finding{
			Severity:       weigh(r, f, blobSeverity),
			Title:          "Minified or very long lines added",
			Evidence:       long.items,
			Detail:         "Lines over 1000 characters are generated or minified code nobody reads in a diff." + long.note(),
			Recommendation: "Ask for the source and a reproducible build instead of committed output.",
		})
	}
	return findings
}
