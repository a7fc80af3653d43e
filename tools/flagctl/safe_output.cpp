#include "safe_output.hpp"

#include "visible_text.hpp"

namespace flagctl {

SafeOutputBuffer::int_type SafeOutputBuffer::overflow(int_type c) {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    line_ += traits_type::to_char_type(c);
    if (line_.back() == '\n') flush_line();
    return c;
}

std::streamsize SafeOutputBuffer::xsputn(const char* text, std::streamsize count) {
    line_.append(text, static_cast<std::size_t>(count));
    // Escaping works on whole lines, so that a UTF-8 sequence is never cut between two writes.
    if (line_.find('\n') != std::string::npos) flush_line();
    return count;
}

int SafeOutputBuffer::sync() {
    flush_line();
    return target_->pubsync();
}

void SafeOutputBuffer::flush_line() {
    if (line_.empty()) return;
    const auto safe = flags::internal::terminal_safe(line_, true);
    target_->sputn(safe.data(), static_cast<std::streamsize>(safe.size()));
    line_.clear();
}

}  // namespace flagctl
