// Special files for the tests of what the programs refuse to read or replace
// (test_fileutil, test_checkpoint, test_cli). Every one is made inside the
// test's own temporary directory: no test touches /dev/null or any other
// system file. The device node has the numbers of the null device (1, 3), so
// that writing to it loses nothing and reading it ends at once.
#pragma once

#include <QString>

#include <sys/stat.h>
#include <sys/sysmacros.h>

inline bool makeFifo(const QString &path)
{
    return ::mkfifo(path.toLocal8Bit().constData(), 0644) == 0;
}

// Needs root (CAP_MKNOD); false otherwise, and the caller skips.
inline bool makeNullDevice(const QString &path)
{
    return ::mknod(path.toLocal8Bit().constData(), S_IFCHR | 0644, makedev(1, 3)) == 0;
}

// What is at path itself (links not followed): S_IFIFO, S_IFCHR, S_IFREG, ...; 0 for nothing.
inline unsigned fileType(const QString &path)
{
    struct stat st;
    if (::lstat(path.toLocal8Bit().constData(), &st) != 0) return 0;
    return unsigned(st.st_mode & S_IFMT);
}
