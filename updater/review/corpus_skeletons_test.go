package review

// corpusSkeletons are the histories corpus cases start from: small but
// real-shaped MCP servers in TypeScript, Python and Go, and a monorepo
// holding several servers.
var corpusSkeletons = map[string]map[string]string{
	"ts": tsServer(""),
	"py": {
		"pyproject.toml":            "[project]\nname = \"notes-mcp\"\nversion = \"1.0.0\"\ndependencies = [\n  \"mcp>=1.2.0\",\n  \"httpx>=0.27\",\n  \"requests>=2.32\",\n]\n\n[project.urls]\nHomepage = \"https://github.com/upstream-org/notes-mcp\"\n",
		"uv.lock":                   "version = 1\n[[package]]\nname = \"mcp\"\nversion = \"1.2.0\"\n",
		"src/notes_mcp/__init__.py": "",
		"src/notes_mcp/server.py": `import os
import httpx
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("notes")
API = os.environ.get("NOTES_API", "https://api.notes-service.io")


@mcp.tool()
async def search_notes(query: str, limit: int = 10) -> list[dict]:
    """Search the user's notes for a query."""
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{API}/search", params={"q": query, "limit": limit},
                             headers={"Authorization": f"Bearer {os.environ['NOTES_TOKEN']}"})
        r.raise_for_status()
        return r.json()


@mcp.tool()
async def get_note(note_id: str) -> dict:
    """Fetch one note by id."""
    async with httpx.AsyncClient() as client:
        r = await client.get(f"{API}/notes/{note_id}")
        return r.json()


def main():
    mcp.run()
`,
		"src/notes_mcp/mail.py": `import smtplib
from email.message import EmailMessage


def send(to: str, subject: str, body: str, cc: str | None = None) -> None:
    msg = EmailMessage()
    msg["To"] = to
    msg["Subject"] = subject
    if cc:
        msg["Cc"] = cc
    msg.set_content(body)
    with smtplib.SMTP("localhost") as s:
        s.send_message(msg)
`,
		"tests/test_server.py": "from notes_mcp import server\n\n\ndef test_import():\n    assert server.mcp\n",
		"Dockerfile":           "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD [\"notes-mcp\"]\n",
		"README.md":            "# notes-mcp\n\nAn MCP server for notes.\n",
		".gitignore":           "__pycache__/\n.venv/\n",
	},
	"go": {
		"go.mod": "module github.com/upstream-org/repos-mcp\n\ngo 1.23\n\nrequire github.com/mark3labs/mcp-go v0.20.0\n",
		"go.sum": "github.com/mark3labs/mcp-go v0.20.0 h1:abc=\n",
		"main.go": `package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

func main() {
	s := server.NewMCPServer("repos", "1.0.0")
	tool := mcp.NewTool("list_repos",
		mcp.WithDescription("List the repositories of an owner"),
		mcp.WithString("owner", mcp.Required()),
	)
	s.AddTool(tool, listRepos)
	server.ServeStdio(s)
}

func listRepos(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
	owner, _ := req.Params.Arguments["owner"].(string)
	r, err := http.NewRequestWithContext(ctx, "GET", "https://api.github.com/users/"+owner+"/repos", nil)
	if err != nil {
		return nil, err
	}
	r.Header.Set("Authorization", "Bearer "+os.Getenv("GITHUB_TOKEN"))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out []map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	b, _ := json.Marshal(out)
	return mcp.NewToolResultText(string(b)), nil
}
`,
		"Dockerfile": "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /repos-mcp .\nFROM gcr.io/distroless/static\nCOPY --from=build /repos-mcp /repos-mcp\nENTRYPOINT [\"/repos-mcp\"]\n",
		"README.md":  "# repos-mcp\n",
	},
	"mono": monorepo(),
}

func tsServer(prefix string) map[string]string {
	return map[string]string{
		prefix + "package.json": `{
  "name": "weather-mcp",
  "version": "1.0.0",
  "homepage": "https://github.com/upstream-org/weather-mcp",
  "scripts": { "build": "tsc", "test": "vitest run" },
  "dependencies": {
    "@modelcontextprotocol/sdk": "^1.10.0",
    "minimist": "^1.2.8",
    "zod": "^3.23.8"
  },
  "devDependencies": { "typescript": "^5.6.0", "vitest": "^2.1.0" }
}
`,
		prefix + "package-lock.json": "{\n  \"lockfileVersion\": 3,\n  \"packages\": {}\n}\n",
		prefix + "tsconfig.json":     "{\n  \"$schema\": \"https://json.schemastore.org/tsconfig\",\n  \"compilerOptions\": { \"strict\": true }\n}\n",
		prefix + "src/index.ts": `import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";
import { forecast } from "./api.js";

const server = new McpServer({ name: "weather", version: "1.0.0" });

server.tool("get_forecast", "Get the weather forecast for a city.", { city: z.string(), days: z.number().optional() }, async ({ city, days }) => {
  const data = await forecast(city, days ?? 3);
  return { content: [{ type: "text", text: JSON.stringify(data) }] };
});

await server.connect(new StdioServerTransport());
`,
		prefix + "src/api.ts": `const BASE = "https://api.weather-service.io/v1";

export async function forecast(city: string, days: number) {
  const res = await fetch(` + "`${BASE}/forecast?city=${encodeURIComponent(city)}&days=${days}`" + `, {
    headers: { Authorization: ` + "`Bearer ${process.env.WEATHER_API_KEY}`" + ` },
  });
  if (!res.ok) throw new Error(` + "`forecast failed: ${res.status}`" + `);
  return res.json();
}
`,
		prefix + "src/api.test.ts": "import { forecast } from './api.js';\nimport { test } from 'vitest';\ntest('exists', () => { if (!forecast) throw new Error(); });\n",
		prefix + "Dockerfile":      "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nCMD [\"node\", \"dist/index.js\"]\n",
		prefix + "README.md":       "# weather-mcp\n\nSee https://docs.weather-service.io for the API.\n",
		".github/workflows/ci.yml": "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: npm ci && npm test\n",
		".gitignore":               "node_modules/\ndist/\n",
	}
}

func monorepo() map[string]string {
	files := tsServer("servers/weather/")
	for p, c := range tsServer("servers/calendar/") {
		files[p] = c
	}
	files["package.json"] = "{\n  \"name\": \"mcp-servers\",\n  \"private\": true,\n  \"workspaces\": [\"servers/*\"]\n}\n"
	files["pnpm-lock.yaml"] = "lockfileVersion: '9.0'\n"
	return files
}
