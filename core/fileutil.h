// The files a user names, checked before they are read or written: an input
// must be a regular file (a device or FIFO can be endless or block forever),
// an output must not replace anything but a regular file, and a whole-file
// output is written so that a failure or a crash never leaves a half file
// in its place (docs/cli.md, "Files").
#pragma once

#include <cstddef>
#include <string>

namespace attnscope {

// Empty when path names a regular file, links followed, or nothing at all
// (opening it then says why). Otherwise what it is instead:
// "<path>: is a character device, not a regular file", or for a link
// "<path>: links to /dev/zero, a character device, not a regular file".
std::string notRegularFile(const std::string &path);

// How an output is written.
enum class OutputMode {
    Replace,  // whole, into a temporary file renamed over the target (checkpoints, exports)
    Stream,   // in place as it is produced (the metrics CSV, attention JSON)
};

// Empty when path can be written in that mode; otherwise the reason, naming
// path. Allowed: an existing writable regular file; nothing yet, in an
// existing writable directory; and for Stream only, a FIFO or a character
// device (written as it is, never replaced). Refused: an empty name, a
// directory, a block device, a socket, and for Replace a FIFO or character
// device (a rename would put a regular file in its place). Links are
// followed: the file they lead to is what is checked and written.
std::string checkOutputFile(const std::string &path, OutputMode mode);

// Whether a and b name the same file: the same device and inode when both
// exist, else the same absolute path once links are followed.
bool sameFile(const std::string &a, const std::string &b);

// Writes bytes to path, which checkOutputFile(path, Replace) must accept: into
// an unnamed file in the target's directory, synced, then linked in place of
// the target (renamed over it when it exists, keeping its permissions). On any
// failure the old file stays as it was. A crash can leave a temporary only
// between the link and the rename; the next write of the same target removes
// it (temporaryFileName says which names those are). False and *error
// ("<path>: ...") on failure.
bool writeFileAtomically(const std::string &path, const std::string &bytes, std::string *error);

// Whether name (a file name, no directory) is one of writeFileAtomically's
// temporaries for the target file name target: ".<target>.attnscope-tmp-"
// followed by six letters or digits.
bool isTemporaryFileOf(const std::string &name, const std::string &target);

// Opens path for a Stream output (checkOutputFile first): a regular file is
// created or truncated; a FIFO or character device is written as it is. A
// FIFO that nobody reads is refused rather than waited for. The descriptor,
// or -1 and *error.
int openOutputStream(const std::string &path, std::string *error);

// write(2) until all of data is written (short writes and EINTR retried).
// False with errno set when a write fails.
bool writeAll(int fd, const char *data, size_t size);

} // namespace attnscope
