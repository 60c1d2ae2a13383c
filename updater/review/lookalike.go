package review

import "strings"

// Look-alike package names: typosquats of a package the manifest just
// removed, or of a package nearly everyone depends on. The well-known
// list is short on purpose: it names what attackers imitate, the most
// downloaded packages of npm and PyPI that MCP servers use.
var wellKnownPackages = toSet(
	// npm
	"react", "lodash", "express", "axios", "chalk", "commander", "debug", "dotenv", "minimist", "yargs", "zod",
	"typescript", "webpack", "eslint", "prettier", "jest", "mocha", "moment", "dayjs", "uuid", "semver", "glob",
	"rimraf", "mkdirp", "fs-extra", "node-fetch", "cross-fetch", "undici", "ws", "socket.io", "request", "got",
	"body-parser", "cors", "helmet", "jsonwebtoken", "bcrypt", "bcryptjs", "mongoose", "mysql", "mysql2", "pg",
	"redis", "ioredis", "sqlite3", "better-sqlite3", "sequelize", "prisma", "typeorm", "knex", "nodemailer",
	"cheerio", "puppeteer", "playwright", "jsdom", "marked", "highlight.js", "inquirer", "ora", "execa", "shelljs",
	"colors", "async", "bluebird", "rxjs", "tslib", "core-js", "classnames", "prop-types", "vue", "svelte", "next",
	"nuxt", "vite", "esbuild", "rollup", "babel-core", "ajv", "joi", "yup", "form-data", "qs", "cookie", "jose",
	"openai", "@anthropic-ai/sdk", "@modelcontextprotocol/sdk", "fastify", "koa", "hono", "ethers", "web3",
	"electron", "sharp", "jquery", "underscore", "ramda", "immer", "redux", "graphql", "apollo-server", "date-fns",
	"luxon", "winston", "pino", "morgan", "multer", "passport", "crypto-js", "tar", "tar-fs", "archiver", "adm-zip",
	// PyPI
	"requests", "httpx", "urllib3", "aiohttp", "numpy", "pandas", "scipy", "matplotlib", "pydantic", "fastapi",
	"flask", "django", "starlette", "uvicorn", "click", "typer", "rich", "pyyaml", "jinja2", "boto3", "botocore",
	"sqlalchemy", "psycopg2", "pymongo", "beautifulsoup4", "lxml", "selenium", "pillow", "cryptography", "pyjwt",
	"paramiko", "python-dotenv", "setuptools", "wheel", "pip", "six", "certifi", "idna", "charset-normalizer",
	"attrs", "tqdm", "pytest", "openai", "anthropic", "mcp", "fastmcp", "langchain", "tiktoken", "transformers",
	"torch", "tensorflow", "scikit-learn", "colorama", "docker", "kubernetes", "redis", "celery", "websockets",
)

func toSet(items ...string) map[string]bool {
	m := make(map[string]bool, len(items))
	for _, it := range items {
		m[it] = true
	}
	return m
}

// homoglyphs fold characters that look alike in a package name.
var homoglyphs = strings.NewReplacer("rn", "m", "vv", "w", "1", "l", "i", "l", "0", "o", "_", "-", ".", "-")

// lookalikeOf returns the package name imitates among candidates, or "".
// A name imitates another when it is not the same, is at least four
// characters long, and folds to the same shape or is one or two edits
// away (one for short names).
func lookalikeOf(name string, candidates []string, minLen int) string {
	n := strings.ToLower(name)
	if len(n) < 4 || wellKnownPackages[n] {
		return ""
	}
	fn := homoglyphs.Replace(n)
	for _, c := range candidates {
		c = strings.ToLower(c)
		if c == n || len(c) < minLen {
			continue
		}
		if homoglyphs.Replace(c) == fn {
			return c
		}
		limit := 1
		if len(c) >= 8 {
			limit = 2
		}
		if abs(len(c)-len(n)) <= limit && editDistance(n, c, limit) <= limit && !sameFamily(n, c) {
			return c
		}
	}
	return ""
}

// sameFamily reports names that differ only by a suffix that packages
// legitimately add: mysql/mysql2, ioredis/redis.
func sameFamily(a, b string) bool {
	trim := func(s string) string { return strings.TrimRight(s, "0123456789") }
	if trim(a) == trim(b) {
		return true
	}
	return strings.HasPrefix(a, "@") != strings.HasPrefix(b, "@")
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the Damerau-Levenshtein distance of a and b (adjacent
// transpositions count one), or limit+1 once it is certainly above limit.
func editDistance(a, b string, limit int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// wellKnownNames lists the well-known packages once for lookalikeOf.
var wellKnownNames = func() []string {
	out := make([]string, 0, len(wellKnownPackages))
	for k := range wellKnownPackages {
		out = append(out, k)
	}
	return out
}()
