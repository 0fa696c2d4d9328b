// BackendGate: the non-template part (construction and close).
#include "api/backend_gate.hpp"

namespace edgevpn::api {

BackendGate::BackendGate(ApiBackend& backend, Executor post, std::chrono::milliseconds timeout)
    : shared_(std::make_shared<Shared>()), post_(std::move(post)), timeout_(timeout) {
  shared_->backend = &backend;
}

BackendGate::~BackendGate() {
  close();
}

void BackendGate::close() {
  std::unique_lock lock(shared_->mutex);
  shared_->backend = nullptr;
  shared_->changed.notify_all();
  shared_->changed.wait(lock, [&] { return shared_->running == 0; });
}

bool BackendGate::closed() const {
  std::lock_guard lock(shared_->mutex);
  return shared_->backend == nullptr;
}

}  // namespace edgevpn::api
