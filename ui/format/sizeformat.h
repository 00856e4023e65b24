#pragma once

#include <QString>

namespace hopscope {

// "512 B", "4.0 KiB", "1.3 MiB": a measured size, binary units, one decimal (the tree's Size
// column, the status bar). Empty for a negative (not known) size.
QString formatByteSize(qint64 bytes);

// "1 MiB", "64 KiB", "1000 bytes": a configured limit, said the way people say it: whole
// binary units when it is a multiple of one, exact bytes otherwise.
QString formatByteLimit(qint64 bytes);

} // namespace hopscope
