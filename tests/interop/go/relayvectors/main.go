// Command relayvectors prints test vectors for our circuit relay v2 and DCUtR codecs, produced by
// go-libp2p itself: a reservation voucher sealed with a fixed relay key, and a few
// length-prefixed protocol messages as go writes them on the wire. Output: "<name> <value>"
// lines (hex for bytes), the format of tests/vectors/p2p/relay_vectors.txt.
package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/record"
	circuitpb "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/pb"
	circuitproto "github.com/libp2p/go-libp2p/p2p/protocol/circuitv2/proto"
	holepunchpb "github.com/libp2p/go-libp2p/p2p/protocol/holepunch/pb"
	ma "github.com/multiformats/go-multiaddr"
	"github.com/multiformats/go-varint"
	"google.golang.org/protobuf/proto"
)

// A key whose 32-byte Ed25519 seed is `fill` repeated.
func fixedKey(fill byte) (crypto.PrivKey, peer.ID) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = fill
	}
	key, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		panic(err)
	}
	id, err := peer.IDFromPrivateKey(key)
	if err != nil {
		panic(err)
	}
	return key, id
}

func framed(msg proto.Message) string {
	body, err := proto.Marshal(msg)
	if err != nil {
		panic(err)
	}
	return hex.EncodeToString(append(varint.ToUvarint(uint64(len(body))), body...))
}

func main() {
	relayKey, relayID := fixedKey(0x01)
	_, clientID := fixedKey(0x02)
	_, initiatorID := fixedKey(0x03)
	const expiration = 1767225600 // 2026-01-01T00:00:00Z

	voucher := &circuitproto.ReservationVoucher{
		Relay:      relayID,
		Peer:       clientID,
		Expiration: time.Unix(expiration, 0),
	}
	envelope, err := record.Seal(voucher, relayKey)
	if err != nil {
		panic(err)
	}
	sealed, err := envelope.Marshal()
	if err != nil {
		panic(err)
	}

	relayAddr := ma.StringCast("/ip4/5.5.5.1/tcp/4001/p2p/" + relayID.String())
	expire := uint64(expiration)
	duration := uint32(120)
	data := uint64(1 << 17)
	reserveOk := &circuitpb.HopMessage{
		Type:   circuitpb.HopMessage_STATUS.Enum(),
		Status: circuitpb.Status_OK.Enum(),
		Reservation: &circuitpb.Reservation{
			Expire:  &expire,
			Addrs:   [][]byte{relayAddr.Bytes()},
			Voucher: sealed,
		},
		Limit: &circuitpb.Limit{Duration: &duration, Data: &data},
	}
	connect := &circuitpb.HopMessage{
		Type: circuitpb.HopMessage_CONNECT.Enum(),
		Peer: &circuitpb.Peer{Id: []byte(clientID)},
	}
	stopConnect := &circuitpb.StopMessage{
		Type:  circuitpb.StopMessage_CONNECT.Enum(),
		Peer:  &circuitpb.Peer{Id: []byte(initiatorID)},
		Limit: &circuitpb.Limit{Duration: &duration, Data: &data},
	}
	refused := &circuitpb.HopMessage{
		Type:   circuitpb.HopMessage_STATUS.Enum(),
		Status: circuitpb.Status_NO_RESERVATION.Enum(),
	}
	obs := ma.StringCast("/ip4/5.5.5.2/tcp/4001")
	holePunchConnect := &holepunchpb.HolePunch{
		Type:     holepunchpb.HolePunch_CONNECT.Enum(),
		ObsAddrs: [][]byte{obs.Bytes()},
	}
	holePunchSync := &holepunchpb.HolePunch{Type: holepunchpb.HolePunch_SYNC.Enum()}

	out := os.Stdout
	fmt.Fprintln(out, "# Circuit relay v2 and DCUtR vectors written by go-libp2p v0.48.0")
	fmt.Fprintln(out, "# (tests/interop/go/relayvectors: cd tests/interop/go && go run ./relayvectors).")
	fmt.Fprintln(out, "# Keys are Ed25519 with the 32-byte seed filled with 01 (relay), 02 (client), 03 (initiator).")
	fmt.Fprintln(out, "# \"<name> <value>\" lines; bytes in hex, *.framed with go's uvarint length prefix.")
	fmt.Fprintf(out, "relay.peer_id %s\n", relayID)
	fmt.Fprintf(out, "client.peer_id %s\n", clientID)
	fmt.Fprintf(out, "initiator.peer_id %s\n", initiatorID)
	fmt.Fprintf(out, "voucher.expiration %d\n", expiration)
	fmt.Fprintf(out, "voucher.envelope %s\n", hex.EncodeToString(sealed))
	fmt.Fprintf(out, "hop.reserve.framed %s\n", framed(&circuitpb.HopMessage{Type: circuitpb.HopMessage_RESERVE.Enum()}))
	fmt.Fprintf(out, "hop.reserve_ok.relay_addr %s\n", relayAddr)
	fmt.Fprintf(out, "hop.reserve_ok.framed %s\n", framed(reserveOk))
	fmt.Fprintf(out, "hop.connect.framed %s\n", framed(connect))
	fmt.Fprintf(out, "hop.no_reservation.framed %s\n", framed(refused))
	fmt.Fprintf(out, "stop.connect.framed %s\n", framed(stopConnect))
	fmt.Fprintf(out, "dcutr.connect.obs_addr %s\n", obs)
	fmt.Fprintf(out, "dcutr.connect.framed %s\n", framed(holePunchConnect))
	fmt.Fprintf(out, "dcutr.sync.framed %s\n", framed(holePunchSync))
}
