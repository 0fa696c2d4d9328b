// Fuzzes the ledger receive path: gunzip, block and entry decoding and the per-key merge never
// crash, and a block we accept re-encodes to JSON that decodes and re-encodes identically.
#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ledger/block.hpp"
#include "ledger/entry.hpp"
#include "ledger/ledger_state.hpp"

namespace {

using namespace edgevpn;

void check_block(const ledger::Block& block) {
  std::string encoded = ledger::encode_block(block);
  auto again = ledger::decode_block(encoded);
  if (!again.ok() || ledger::encode_block(*again) != encoded) std::abort();
  (void)ledger::block_checksum(block);
  (void)ledger::block_checksum(block, ledger::HashForm::kLegacy);

  const util::WallTime now(std::chrono::seconds(1767225600));
  for (auto mode : {ledger::OwnershipMode::kOff, ledger::OwnershipMode::kEnforce}) {
    ledger::LedgerState state(ledger::LedgerOptions::for_mode(mode), now);
    (void)state.receive(block, now);
    (void)state.current_data();
    (void)state.available_nodes(std::chrono::seconds(900), now);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  util::ByteView input(data, size);
  std::string_view text = util::as_string_view(input);

  auto inflated = ledger::gzip_decompress(input, 1 << 20);
  if (inflated.ok()) {
    auto block = ledger::decode_block(*inflated);
    if (block.ok()) check_block(*block);
  }
  auto block = ledger::decode_block(text);
  if (block.ok()) check_block(*block);
  auto entry = ledger::parse_entry(text);
  if (entry.ok()) {
    auto again = ledger::parse_entry(ledger::encode_entry(*entry));
    if (!again.ok() || ledger::encode_entry(*again) != ledger::encode_entry(*entry)) std::abort();
  }
  return 0;
}
