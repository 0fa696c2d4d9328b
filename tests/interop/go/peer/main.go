// Command peer is a go-libp2p node for the interop tests: a Kademlia DHT server (the role the
// public IPFS bootstrap nodes play for EdgeVPN users), with a stable identity when given a key
// file. It prints one JSON line {"event":"ready","peerId":...,"addrs":[...]} once it listens,
// then serves until SIGTERM or SIGINT.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/crypto"
)

func identity(path string) (crypto.PrivKey, error) {
	if path != "" {
		if raw, err := os.ReadFile(path); err == nil {
			return crypto.UnmarshalPrivateKey(raw)
		}
	}
	key, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil || path == "" {
		return key, err
	}
	raw, err := crypto.MarshalPrivateKey(key)
	if err != nil {
		return nil, err
	}
	return key, os.WriteFile(path, raw, 0o600)
}

func run() error {
	listen := flag.String("listen", "", "listen multiaddr, e.g. /ip4/10.0.0.1/tcp/4001 (required)")
	keyFile := flag.String("key", "", "file that keeps the node's private key (created if missing)")
	flag.Parse()
	if *listen == "" {
		return fmt.Errorf("-listen is required")
	}
	key, err := identity(*keyFile)
	if err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	// No relay, no port mapping, no bootstrap peers: nothing is dialled that the test did not give.
	h, err := libp2p.New(libp2p.Identity(key), libp2p.ListenAddrStrings(*listen), libp2p.DisableRelay())
	if err != nil {
		return fmt.Errorf("host: %w", err)
	}
	defer h.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kad, err := dht.New(ctx, h, dht.Mode(dht.ModeServer))
	if err != nil {
		return fmt.Errorf("dht: %w", err)
	}
	defer kad.Close()

	addrs := []string{}
	for _, a := range h.Addrs() {
		addrs = append(addrs, fmt.Sprintf("%s/p2p/%s", a, h.ID()))
	}
	line, _ := json.Marshal(map[string]any{"event": "ready", "peerId": h.ID().String(), "addrs": addrs})
	fmt.Println(string(line))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "peer:", err)
		os.Exit(1)
	}
}
