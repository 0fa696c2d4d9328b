//go:build pins

// Package pins names the Go modules the interop suite builds, so that go.mod and go.sum pin
// them: the real EdgeVPN (built by scripts/build-go-edgevpn.sh from its own module folder) and
// the upstream gossip layer that replaces its author's fork there (see docs/go-interop.md).
package pins

import (
	_ "github.com/libp2p/go-libp2p-pubsub"
	_ "github.com/mudler/edgevpn/pkg/node"
)
