// Everything flagctl writes passes through here: a runtime file, a path or a name may hold control,
// bidirectional or invisible characters, and printed raw they would rewrite the operator's terminal or
// make a name look like another. They come out as \uXXXX escapes (valid in JSON strings as well).
#pragma once

#include <ostream>
#include <streambuf>
#include <string>

namespace flagctl {

// Collects a line, then writes it escaped to the stream buffer it replaced.
class SafeOutputBuffer : public std::streambuf {
public:
    explicit SafeOutputBuffer(std::streambuf* target) : target_(target) {}
    ~SafeOutputBuffer() override { flush_line(); }

protected:
    int_type overflow(int_type c) override;
    std::streamsize xsputn(const char* text, std::streamsize count) override;
    int sync() override;

private:
    void flush_line();
    std::streambuf* target_;
    std::string line_;
};

// Puts a SafeOutputBuffer in front of a stream for the lifetime of this object.
class SafeOutput {
public:
    explicit SafeOutput(std::ostream& stream)
        : stream_(stream), original_(stream.rdbuf()), buffer_(original_) {
        stream_.rdbuf(&buffer_);
    }
    ~SafeOutput() {
        stream_.flush();
        stream_.rdbuf(original_);
    }
    SafeOutput(const SafeOutput&) = delete;
    SafeOutput& operator=(const SafeOutput&) = delete;

private:
    std::ostream& stream_;
    std::streambuf* original_;
    SafeOutputBuffer buffer_;
};

}  // namespace flagctl
