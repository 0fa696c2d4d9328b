// /dnsaddr/ resolution through DNS TXT records, with libresolv on a helper thread.
#include "p2p/discovery/dnsaddr.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <resolv.h>

#include <algorithm>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <future>
#include <memory>

#include "p2p/mdns/dns_message.hpp"

namespace edgevpn::p2p::discovery {
namespace {

using util::Errc;
using util::make_error;

constexpr std::string_view kTxtPrefix = "dnsaddr=";
constexpr size_t kMaxAnswerSize = 65535;

// The host name of a /dnsaddr/ address.
std::optional<std::string> dnsaddr_host(const Multiaddr& addr) {
  const auto& components = addr.components();
  if (components.empty() || components.front().code != multiaddr_code::kDnsAddr)
    return std::nullopt;
  return util::to_string(components.front().value);
}

asio::thread_pool& resolver_pool() {
  // One thread: lookups are rare (bootstrap), and a single thread bounds what a slow DNS holds.
  static asio::thread_pool pool(1);
  return pool;
}

void resolve_into(const Multiaddr& addr, const std::optional<crypto::PeerId>& peer,
                  const TxtLookup& lookup, size_t depth_left, std::vector<Multiaddr>& out,
                  std::optional<util::Error>& last_error) {
  if (out.size() >= kMaxDnsaddrResults) return;
  const auto host = dnsaddr_host(addr);
  if (!host) {
    if (std::find(out.begin(), out.end(), addr) == out.end()) out.push_back(addr);
    return;
  }
  if (depth_left == 0) {
    last_error = make_error(Errc::kTooLarge, "dnsaddr recursion too deep at " + *host);
    return;
  }
  auto texts = lookup("_dnsaddr." + *host);
  if (!texts) {
    last_error = texts.error();
    return;
  }
  for (const auto& found : parse_dnsaddr_texts(*texts, peer)) {
    resolve_into(found, peer, lookup, depth_left - 1, out, last_error);
  }
}

}  // namespace

std::vector<Multiaddr> parse_dnsaddr_texts(const std::vector<std::string>& texts,
                                           const std::optional<crypto::PeerId>& peer) {
  std::vector<Multiaddr> out;
  for (const auto& text : texts) {
    if (text.rfind(kTxtPrefix, 0) != 0) continue;
    auto addr = Multiaddr::parse(std::string_view(text).substr(kTxtPrefix.size()));
    if (!addr) continue;
    if (peer) {
      const auto id = addr->peer_id();
      if (!id || *id != *peer) continue;
    }
    out.push_back(std::move(*addr));
  }
  return out;
}

util::Result<std::vector<std::string>> txt_strings_from_response(util::ByteView packet) {
  auto message = mdns::decode(packet);
  if (!message) return message.error();
  const uint16_t rcode = message->flags & 0x000f;
  if (rcode != 0) return make_error(Errc::kNotFound, "DNS rcode " + std::to_string(rcode));
  std::vector<std::string> out;
  for (const auto& record : message->answers) {
    if (record.type != mdns::record_type::kTxt) continue;
    // A TXT record may split a long value into several character strings: join them, as Go does.
    std::string joined;
    for (const auto& part : record.txt) joined += part;
    out.push_back(std::move(joined));
  }
  return out;
}

TxtLookup system_txt_lookup(DnsaddrResolverConfig config) {
  return [config](const std::string& name) -> util::Result<std::vector<std::string>> {
    struct __res_state state {};
    if (res_ninit(&state) != 0) return make_error(Errc::kIo, "res_ninit failed");
    state.retrans = std::max(1, config.timeout_seconds);
    state.retry = std::max(1, config.attempts);
    if (config.nameserver_ip) {
      sockaddr_in server{};
      server.sin_family = AF_INET;
      server.sin_port = htons(config.nameserver_port);
      if (inet_pton(AF_INET, config.nameserver_ip->c_str(), &server.sin_addr) != 1) {
        res_nclose(&state);
        return make_error(Errc::kInvalidArgument,
                          "nameserver must be IPv4: " + *config.nameserver_ip);
      }
      state.nsaddr_list[0] = server;
      state.nscount = 1;
    }
    std::vector<unsigned char> answer(kMaxAnswerSize);
    const int length = res_nquery(&state, name.c_str(), ns_c_in, ns_t_txt, answer.data(),
                                  static_cast<int>(answer.size()));
    const int h_errno_value = state.res_h_errno;
    res_nclose(&state);
    if (length < 0) {
      if (h_errno_value == NO_DATA) return std::vector<std::string>{};
      if (h_errno_value == HOST_NOT_FOUND)
        return make_error(Errc::kNotFound, "no such name: " + name);
      return make_error(Errc::kTimeout, "DNS lookup failed for " + name);
    }
    return txt_strings_from_response(
        util::ByteView(answer.data(), std::min(static_cast<size_t>(length), answer.size())));
  };
}

util::Result<std::vector<Multiaddr>> resolve_dnsaddr_blocking(const Multiaddr& addr,
                                                              const TxtLookup& lookup,
                                                              size_t max_depth) {
  if (!dnsaddr_host(addr)) return std::vector<Multiaddr>{addr};
  const std::optional<crypto::PeerId> peer = addr.peer_id();
  std::vector<Multiaddr> out;
  std::optional<util::Error> last_error;
  resolve_into(addr, peer, lookup, max_depth, out, last_error);
  if (out.empty()) {
    if (last_error) return *last_error;
    return make_error(Errc::kNotFound, "no address in the TXT records of " + addr.to_string());
  }
  return out;
}

asio::awaitable<util::Result<std::vector<Multiaddr>>> resolve_dnsaddr(
    Multiaddr addr, DnsaddrResolverConfig config) {
  using Resolved = util::Result<std::vector<Multiaddr>>;
  if (!dnsaddr_host(addr)) co_return std::vector<Multiaddr>{addr};
  // The helper thread only fulfils a promise: it never touches our io_context, which may be gone
  // by the time it finishes (a wake-up from another thread racing the io_context's destruction).
  auto done = std::make_shared<std::promise<Resolved>>();
  auto resolved = done->get_future();
  asio::post(resolver_pool(), [done, addr = std::move(addr), config] {
    try {
      done->set_value(resolve_dnsaddr_blocking(addr, system_txt_lookup(config), config.max_depth));
    } catch (...) {
      done->set_exception(std::current_exception());
    }
  });
  asio::steady_timer poll(co_await asio::this_coro::executor);
  std::chrono::milliseconds wait{1};
  while (resolved.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
    poll.expires_after(wait);
    co_await poll.async_wait(asio::use_awaitable);
    wait = std::min(wait * 2, std::chrono::milliseconds(50));
  }
  co_return resolved.get();
}

}  // namespace edgevpn::p2p::discovery
