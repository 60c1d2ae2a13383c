// Package upstream reads untrusted upstream repositories over git: the
// connection and URL policy, ref listing, ref selection and versions, head
// resolution, the object cache and fetches, cooldown, pin checks, range
// facts, files, trees and walks, export and pack indexing. Every byte an
// upstream sends is hostile until checked here.
//
// It must not import go-github or anything that writes to GitHub: head
// resolution through a forge's API goes through HeadAPI, which the github
// package implements.
package upstream
