package review

import (
	"fmt"
	"regexp"
	"sort"
	"unicode/utf8"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// Tool-poisoning signals: text aimed at the model that reads a server's
// tool names, descriptions and prompts rather than at the people who read
// the code.
var (
	hiddenInstruction = regexp.MustCompile(`(?i)\b(ignore|disregard|forget)\s+(all\s+|any\s+)?(of\s+)?(the\s+|your\s+)?(previous|prior|above|earlier|preceding|other|all|system)\s+(instructions?|prompts?|rules|directions|guidelines|context)\b` +
		`|\bignore\s+all\s+instructions\b` +
		`|\b(do\s+not|don'?t|never)\s+(tell|inform|mention|reveal|notify|show|disclose|alert)\b[^.\n]{0,30}\buser\b` +
		`|\bwithout\s+(telling|informing|notifying|asking|alerting)\s+the\s+user\b` +
		`|\bthe\s+user\s+(must|should)\s+not\s+(know|see|be\s+told)\b` +
		`|<\s*/?\s*(important|system|system[_-]?prompt|hidden|secret[_-]?instructions?)\s*>`)
	hiddenInstructionHints = newHints("ignore", "disregard", "forget", "user", "important", "system", "hidden", "secret")

	sensitiveRead = regexp.MustCompile(`(?i)\b(read|open|cat|send|include|pass|upload|provide|attach|fetch|access|contents?\s+of|copy|print|output|return)\b[^\n]{0,80}` +
		`(~/\.ssh|\.ssh/|\bid_(rsa|dsa|ecdsa|ed25519)\b|(^|[\s"'/~])\.env\b|\bmcp\.json\b|claude_desktop_config|\.claude\.json|\.cursor/mcp|` +
		`\.aws/credentials|\.npmrc\b|\.netrc\b|\.pypirc\b|/etc/(passwd|shadow)\b|\.kube/config|\.docker/config\.json|\.git-credentials|\.config/gh/hosts)`)
	sensitiveReadHints = newHints("ssh", "id_", ".env", "mcp", "claude", "cursor", "aws", "npmrc", "netrc", "pypirc", "/etc/", "kube", "docker", "credentials", "gh/hosts")

	callOtherTools = regexp.MustCompile(`(?i)\b(always|must|first|before\s+(using|calling|responding|answering)|instead\s+of|whenever)\b[^.\n]{0,60}\b(call|invoke|use|run|execute)\b[^.\n]{0,40}\btools?\b`)
	// Every match of callOtherTools holds one of its leading words; "tool"
	// (also required) is in most lines of an MCP server, these are not.
	callToolsHints = newHints("always", "must", "first", "before", "instead", "whenever")
)

// checkToolPoisoning reports prompt-injection text in added lines: hidden
// instructions and tags, invisible characters, instructions to read
// credentials, and instructions to call other tools.
func checkToolPoisoning(r *ranges.Range) []Finding {
	var findings []Finding
	for i := range r.Files {
		f := &r.Files[i]
		if f.Status == ranges.FileDeleted || f.Binary || isLockfile(f.Path) {
			continue
		}
		fs := poisoningFindings(r, f)
		if isDocOrTest(f.Path) {
			for j := range fs {
				fs[j].Severity = fs[j].Severity.lower(1)
			}
		}
		findings = append(findings, fs...)
	}
	return findings
}

func poisoningFindings(r *ranges.Range, f *ranges.FileChange) []Finding {
	var fs []Finding
	fs = append(fs, lineFindings(r, f, hiddenInstruction, hiddenInstructionHints, Finding{
		Severity:       Critical,
		Title:          "Hidden instructions to the model in " + f.Path,
		Detail:         "Added text tells the model to ignore its instructions, keep something from the user, or wears an <IMPORTANT>/<SYSTEM> tag.",
		Recommendation: "Read the text as the model would; an MCP server's descriptions must not instruct the model against its user.",
	})...)
	fs = append(fs, invisibleFindings(r, f)...)
	fs = append(fs, intentFindings(r, f)...)
	fs = append(fs, lineFindings(r, f, sensitiveRead, sensitiveReadHints, Finding{
		Severity:       High,
		Title:          "Text pointing at credential files in " + f.Path,
		Detail:         "Added text mentions reading or sending SSH keys, .env files, MCP client configs or other credentials.",
		Recommendation: "Check whether this is a tool description or prompt; a server has no reason to ask the model for these files.",
	})...)
	fs = append(fs, lineFindings(r, f, callOtherTools, callToolsHints, Finding{
		Severity:       Medium,
		Title:          "Text steering the model to call tools in " + f.Path,
		Detail:         "Added text tells the model to always or first call a tool; poisoned descriptions use this to chain into other servers' tools.",
		Recommendation: "Check that the instruction concerns only this server's own tools and is what the user would expect.",
	})...)
	return fs
}

// invisible reports zero-width and bidirectional control characters:
// they hide text from a human reader but not from a model (or reorder what
// the human sees, "Trojan Source").
func invisible(r rune) bool {
	switch {
	case r >= 0x200B && r <= 0x200D, r == 0x2060, r == 0xFEFF, r == 0x180E:
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	case r >= 0xE0000 && r <= 0xE007F: // tag characters: invisible ASCII
		return true
	}
	return false
}

// emojiJoined reports a zero-width joiner between two emoji (family and
// profession emoji use it); that use is legitimate.
func emojiJoined(prev, next rune) bool {
	isEmoji := func(r rune) bool { return r >= 0x1F000 || (r >= 0x2600 && r <= 0x27BF) || r == 0xFE0F }
	return isEmoji(prev) && isEmoji(next)
}

func invisibleFindings(r *ranges.Range, f *ranges.FileChange) []Finding {
	var ev evidence
	found := map[rune]bool{}
	for _, l := range f.AddedLines {
		if !hasNonASCII(l.Text) {
			continue
		}
		hit := false
		var prev rune
		for i, c := range l.Text {
			if !invisible(c) {
				prev = c
				continue
			}
			if c == 0xFEFF && i == 0 && l.No == 1 {
				continue // byte order mark
			}
			if c == 0x200D {
				next, _ := utf8.DecodeRuneInString(l.Text[i+utf8.RuneLen(c):])
				if emojiJoined(prev, next) {
					continue
				}
			}
			found[c] = true
			hit = true
		}
		if hit {
			ev.addLine(f.Path, l.No)
		}
	}
	if ev.empty() {
		return nil
	}
	codes := make([]rune, 0, len(found))
	for c := range found {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool { return codes[i] < codes[j] })
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = fmt.Sprintf("U+%04X", c)
	}
	return []Finding{{
		Severity:       weigh(r, f, Critical),
		Title:          "Invisible or bidirectional control characters in " + f.Path,
		Evidence:       ev.items,
		Detail:         "Characters: " + listed(names, 10) + ". They hide or reorder text so a reviewer and a model read different things." + ev.note(),
		Recommendation: "View the lines with the characters made visible; there is rarely a reason for them in a tool description or code.",
	}}
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}
