#include <flags/runtime_core.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <new>

#include <flags/published_word.hpp>

#include "../toml_input.hpp"
#include "hazard.hpp"
#include "runtime_loader.hpp"
#include "snapshot.hpp"

namespace flags::internal {
namespace {

void drop_reference(const Snapshot* snapshot) noexcept {
    if (snapshot && snapshot->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete snapshot;
}

Diagnostic out_of_memory(const std::string& file) {
    return Diagnostic{.file = file, .message = "out of memory while loading", .hint = "the last good snapshot keeps serving"};
}

}  // namespace

SnapshotRef::SnapshotRef(const SnapshotRef& other) noexcept : snapshot_(other.snapshot_), registry_(other.registry_) {
    if (snapshot_) snapshot_->references.fetch_add(1, std::memory_order_relaxed);
}

SnapshotRef::SnapshotRef(SnapshotRef&& other) noexcept : snapshot_(other.snapshot_), registry_(other.registry_) {
    other.snapshot_ = nullptr;
}

SnapshotRef& SnapshotRef::operator=(SnapshotRef other) noexcept {
    std::swap(snapshot_, other.snapshot_);
    std::swap(registry_, other.registry_);
    return *this;
}

SnapshotRef::~SnapshotRef() { drop_reference(snapshot_); }

Evaluation SnapshotRef::evaluate(std::size_t flag, const Context& ctx) const noexcept {
    return snapshot_ ? internal::evaluate(*snapshot_, flag, ctx) : default_evaluation(registry_, flag);
}

std::uint64_t SnapshotRef::generation() const noexcept { return snapshot_ ? snapshot_->generation : 0; }

struct RuntimeCore::State {
    std::mutex writer;  // serialises publishers; readers never take it
    std::filesystem::path file;
    std::unique_ptr<std::atomic<std::uint32_t>[]> own_words;
    std::optional<CompiledFile> base;  // the last good file, before overrides
    std::map<std::size_t, ValueIndex> overrides;
    std::uint64_t generation = 0;
    std::vector<const Snapshot*> retired;  // unpublished, maybe still read

    // Frees retired snapshots that no reader is evaluating; pinned ones live on through their pins.
    void reclaim() {
        writer_fence();
        auto in_use = protected_pointers();
        std::sort(in_use.begin(), in_use.end());
        std::erase_if(retired, [&](const Snapshot* s) {
            if (std::binary_search(in_use.begin(), in_use.end(), static_cast<const void*>(s))) return false;
            drop_reference(s);
            return true;
        });
    }
};

RuntimeCore::RuntimeCore(RegistryView registry) : registry_(registry), state_(std::make_unique<State>()) {
    state_->own_words = std::make_unique<std::atomic<std::uint32_t>[]>(registry.flags.size());
    words_ = state_->own_words.get();
    for (std::size_t i = 0; i < registry.flags.size(); ++i)
        words_[i].store(settled_word(registry.flags[i].default_value), std::memory_order_relaxed);
}

RuntimeCore::RuntimeCore(RegistryView registry, std::span<std::atomic<std::uint32_t>> words)
    : registry_(registry), state_(std::make_unique<State>()), words_(words.data()) {}

RuntimeCore::~RuntimeCore() {
    drop_reference(current_.exchange(nullptr, std::memory_order_acq_rel));
    for (const auto* s : state_->retired) drop_reference(s);
}

void RuntimeCore::set_file(std::filesystem::path file) {
    std::lock_guard lock(state_->writer);
    state_->file = std::move(file);
}

void RuntimeCore::publish_locked(State& state) {
    auto snapshot = std::make_unique<Snapshot>();
    snapshot->registry = registry_;
    snapshot->rules = state.base->rules;
    snapshot->flags = state.base->flags;
    snapshot->content_hash = state.base->content_hash;
    for (const auto& [flag, value] : state.overrides)
        snapshot->flags[flag] = FlagProgram{.present = true,
                                            .default_value = registry_.flags[flag].default_value,
                                            .outcome = Outcome{.value = value}};
    snapshot->generation = ++state.generation;

    const Snapshot* published = snapshot.release();
    const Snapshot* old = current_.exchange(published, std::memory_order_seq_cst);
    // Words after the pointer: a reader sent to the snapshot by an old word finds one at least as new.
    for (std::size_t i = 0; i < registry_.flags.size(); ++i) {
        const auto word = published->flags[i].settled() ? settled_word(internal::evaluate(*published, i, Context{}).value)
                                                        : needs_evaluation_bit;
        words_[i].store(word, std::memory_order_release);
    }
    if (old) state.retired.push_back(old);
    state.reclaim();
}

LoadReport RuntimeCore::load_text(std::string_view text, std::string display) noexcept {
    LoadReport report;
    try {
        std::vector<RuntimeSource> sources{RuntimeSource{.display = display, .text = std::string(text)}};
        auto compiled = compile_runtime(registry_, sources, report.diagnostics);
        std::lock_guard lock(state_->writer);
        if (compiled && !(state_->base && state_->base->content_hash == compiled->content_hash)) {
            state_->base = std::move(*compiled);
            publish_locked(*state_);
            report.published = true;
        }
        report.generation = state_->generation;
    } catch (const std::bad_alloc&) {
        report.diagnostics.push_back(out_of_memory(display));
    } catch (const std::exception& e) {
        report.diagnostics.push_back(Diagnostic{.file = display, .message = e.what()});
    }
    return report;
}

LoadReport RuntimeCore::reload() noexcept {
    LoadReport report;
    try {
        std::filesystem::path file;
        {
            std::lock_guard lock(state_->writer);
            file = state_->file;
            report.generation = state_->generation;
        }
        if (file.empty()) {
            report.diagnostics.push_back(Diagnostic{.message = "no runtime file is set",
                                                    .hint = "start the runtime with the path of its runtime file"});
            return report;
        }
        Reporter reporter(report.diagnostics);
        const auto text = read_text_file(file, file.string(), reporter);
        if (!text) return report;
        auto loaded = load_text(*text, file.string());
        return loaded;
    } catch (const std::exception& e) {
        report.diagnostics.push_back(Diagnostic{.message = e.what()});
        return report;
    }
}

Evaluation RuntimeCore::evaluate(std::size_t flag, const Context& ctx) const noexcept {
    HazardSlot* slot = this_thread_slot();
    if (!slot) return default_evaluation(registry_, flag);
    const Snapshot* snapshot = protect(current_, *slot);
    const Evaluation result = snapshot ? internal::evaluate(*snapshot, flag, ctx) : default_evaluation(registry_, flag);
    release(*slot);
    return result;
}

SnapshotRef RuntimeCore::pin() const noexcept {
    HazardSlot* slot = this_thread_slot();
    if (!slot) return SnapshotRef(registry_);
    const Snapshot* snapshot = protect(current_, *slot);
    // While the hazard holds it, the runtime cannot drop its own reference, so this one is safe to add.
    if (snapshot) snapshot->references.fetch_add(1, std::memory_order_relaxed);
    release(*slot);
    return SnapshotRef(snapshot, registry_);
}

std::uint64_t RuntimeCore::generation() const noexcept {
    std::lock_guard lock(state_->writer);
    return state_->generation;
}

void RuntimeCore::set_override(std::size_t flag, ValueIndex value) {
    std::lock_guard lock(state_->writer);
    state_->overrides[flag] = value;
    if (!state_->base) state_->base = empty_runtime(registry_);
    publish_locked(*state_);
}

void RuntimeCore::clear_override(std::size_t flag) {
    std::lock_guard lock(state_->writer);
    if (state_->overrides.erase(flag) == 0) return;
    if (!state_->base) state_->base = empty_runtime(registry_);
    publish_locked(*state_);
}

namespace {
std::atomic<RuntimeCore*> default_instance{nullptr};
std::mutex default_creation;
}  // namespace

RuntimeCore& default_runtime(RegistryView registry, std::span<std::atomic<std::uint32_t>> words) {
    std::lock_guard lock(default_creation);
    if (auto* existing = default_instance.load(std::memory_order_acquire)) return *existing;
    auto* created = new RuntimeCore(registry, words);  // deliberately never deleted; see the header
    default_instance.store(created, std::memory_order_release);
    return *created;
}

Evaluation evaluate_default(const RegistryView& registry, std::size_t flag, const Context& ctx) noexcept {
    const auto* runtime = default_instance.load(std::memory_order_acquire);
    return runtime ? runtime->evaluate(flag, ctx) : default_evaluation(registry, flag);
}

SnapshotRef pin_default(const RegistryView& registry) noexcept {
    const auto* runtime = default_instance.load(std::memory_order_acquire);
    return runtime ? runtime->pin() : SnapshotRef(registry);
}

}  // namespace flags::internal
