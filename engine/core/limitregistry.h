#pragma once

#include "core/limits.h"

#include <QString>
#include <QStringList>
#include <QStringView>

#include <span>

namespace hopscope {

// Every limit in `Limits` by the name users type (`--limit maxHeaderBytes=1000`) and read in
// errors (`limit:maxHeaderBytes`). One table, so that the command line, its list of known names,
// the completions and docs/limits.md cannot drift apart (tst_limitregistry checks the docs).
struct LimitDescriptor
{
    const char *name;
    // Sets the limit from a non-negative number (fractions only where the limit is a ratio).
    void (*set)(Limits &limits, double value);
    // The limit's value, as a number (for listing defaults).
    double (*get)(const Limits &limits);
};

std::span<const LimitDescriptor> limitDescriptors();

// The descriptor named `name` (case-sensitive, as documented); null when there is none.
const LimitDescriptor *findLimit(QStringView name);

// Every name, in the table's order.
QStringList limitNames();

} // namespace hopscope
