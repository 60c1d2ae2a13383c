package review

import (
	"regexp"
	"strings"

	"github.com/mcp-registry/updater/gitops/upstream/ranges"
)

// Paraphrase-robust tool poisoning. Fixed phrases ("ignore previous
// instructions") are easy to reword; what a poisoned description cannot
// avoid is its intent: it names something sensitive, tells the model to
// do something with it, and wants that unseen or routed elsewhere. Each
// of the three is a vocabulary rather than a phrase, and a window of a few
// added lines is judged on which of them it holds.

var (
	intentObject = regexp.MustCompile(`\bcredentials?\b|\bsecrets?\b|\bapi[ _-]?keys?\b|\baccess[ _-]?keys?\b|\btokens?\b|\bpasswords?\b|\bpassphrases?\b|` +
		`\bprivate[ _-]?keys?\b|\bssh\b|\.aws\b|\baws (?:folder|directory|config)|\.env\b|\benvironment variables\b|\benv vars?\b|mcp\.json|` +
		`\bconfig(?:uration)? files?\b|\bcookies\b|\bkeychain\b|\bwallets?\b|\bseed phrase|\bconversation(?: history)?\b|\bchat history\b|` +
		`\bsystem prompt\b|\bprevious messages\b|\bhome (?:directory|folder)\b|~/|\bid_rsa\b|\.npmrc|\.netrc|\.kube\b|\bdotfiles?\b`)
	intentAction = regexp.MustCompile(`\b(?:read|open|load|include|send|pass|attach|append|embed|put|insert|collect|gather|retrieve|extract|upload|forward|copy|` +
		`provide|supply|fetch|grab|cat|dump|post|transmit|share|look up|paste|summari[sz]e)\b`)
	intentConceal = regexp.MustCompile(`\b(?:silently|quietly|discreetly|covertly|secretly|unbeknownst)\b|\bin the background\b|\bbehind the scenes\b|` +
		`\bwithout (?:telling|mentioning|informing|notifying|asking|alerting|letting|showing|bothering)\b|` +
		`\b(?:do not|don'?t|never|must not|should not|shouldn'?t|no need to|avoid)\s+(?:ever\s+)?(?:mention|tell|inform|notify|reveal|show|disclose|alert|bring up|explain|report|let|draw attention|bother)\b|` +
		`\b(?:hide|conceal|omit|obscure)\b|\bnot (?:be )?(?:visible|shown|displayed) to\b|\binvisible to\b|` +
		`\b(?:user|human)s?\s+(?:doesn'?t|does not|need not|needn'?t|won'?t|will not|should not|shouldn'?t|must not|cannot|can'?t)\s+(?:know|see|notice|be (?:told|informed|aware))\b|` +
		`\bkeep (?:this|it) (?:between|private|to yourself|hidden)\b|\bimplementation detail\b`)
	intentSmuggle = regexp.MustCompile(`\b(?:in|into|as|via|through|inside)\s+(?:the\s+)?[` + "`" + `'"]?\w+[` + "`" + `'"]?\s+(?:parameter|argument|field|param)\b|\bside[_ ]?note\b`)
	intentChain   = regexp.MustCompile(`\b(?:before|prior to)\s+(?:using|calling|running|invoking)\s+(?:any|every|all|other|another)\b|\ball other tools\b|\bevery (?:other )?tool\b|` +
		`\b(?:any|every) (?:other )?tool call\b|\binstead of (?:the|using)\b`)
)

// Hints guarding the three cue kinds a report is anchored on.
var (
	concealHints = newHints("silent", "quiet", "discreet", "covert", "secretly", "unbeknownst", "background", "behind the", "without",
		"not ", "never", "n't", "no need", "avoid", "hide", "conceal", "omit", "obscure", "invisible", "keep ", "implementation detail")
	smuggleHints = newHints("param", "argument", "field", "side")
	// Each alternative of intentChain holds one of these literally; "tool"
	// alone is in most lines of an MCP server and let the regexp run on
	// nearly every one of them.
	chainHints = newHints("before", "prior to", "other tools", "every ", "tool call", "instead of")
)

// anchored reports whether a lower-cased line carries one of the cues a
// report is anchored on.
func anchored(lower []byte) bool {
	return concealHints.in(lower) && intentConceal.Match(lower) ||
		smuggleHints.in(lower) && intentSmuggle.Match(lower) ||
		chainHints.in(lower) && intentChain.Match(lower)
}

// intent is which cue kinds a window holds.
type intent struct{ object, action, conceal, smuggle, chain bool }

// intentOf reads the cues of text; the vocabularies are lower case.
func intentOf(text string) intent {
	text = strings.ToLower(text)
	return intent{
		object:  intentObject.MatchString(text),
		action:  intentAction.MatchString(text),
		conceal: intentConceal.MatchString(text),
		smuggle: intentSmuggle.MatchString(text),
		chain:   intentChain.MatchString(text),
	}
}

// severity of a window: critical for a sensitive object, an action on it
// and concealment or a side channel; high for concealment together with
// any of the other cues, or for an action on a sensitive object chained
// into other tools.
func (in intent) severity() (Severity, bool) {
	switch {
	case in.object && in.action && (in.conceal || in.smuggle):
		return Critical, true
	case in.conceal && (in.object || in.chain || in.smuggle), in.object && in.action && in.chain:
		return High, true
	}
	return Info, false
}

// intentWindow is how many added lines around a line are read with it: a
// description wrapped over several source lines still reads as one.
const intentWindow = 2

func intentFindings(r *ranges.Range, f *ranges.FileChange) []Finding {
	code := isCode(f.Path)
	var lines []ranges.Line
	for _, l := range f.AddedLines {
		if code && isCommentLine(trimSpace(l.Text)) {
			continue
		}
		lines = append(lines, l)
	}
	var ev evidence
	worst := Info
	moved := removedSet(f)
	var lower []byte
	for i, l := range lines {
		if len(l.Text) > longLine {
			continue
		}
		lower = appendLower(lower[:0], l.Text)
		if !anchored(lower) || !moved.novel(l.Text) {
			continue // anchor each report on the line that carries the intent
		}
		var text []byte
		for j := max(0, i-intentWindow); j <= min(len(lines)-1, i+intentWindow); j++ {
			if lines[j].No-l.No > intentWindow || l.No-lines[j].No > intentWindow {
				continue
			}
			text = append(text, lines[j].Text...)
			text = append(text, ' ')
		}
		if s, ok := intentOf(string(text)).severity(); ok {
			ev.addLine(f.Path, l.No)
			worst = max(worst, s)
		}
	}
	if ev.empty() {
		return nil
	}
	return []Finding{{
		Severity: weigh(r, f, worst),
		Title:    "Text asks the model to handle secrets or other tools out of the user's sight in " + f.Path,
		Evidence: ev.items,
		Detail: "Added text combines a sensitive object (credentials, keys, config files, conversation), an instruction to act on it, " +
			"and a request to keep it from the user or pass it through a parameter or another tool." + ev.note(),
		Recommendation: "Read the text as the model would; a tool description must not ask for secrets or for secrecy.",
	}}
}

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == '\t' || s[j-1] == '\r') {
		j--
	}
	return s[i:j]
}
