#pragma once

namespace hopscope {

// The row layout of one connection's exchanges in the connections tree, and its arithmetic.
//
// Up to pageSize exchanges, a connection lists them directly ("flat"). Past that, its children
// are pages of pageSize exchanges each ("req 1–1000 (1000)", "req 1001–2000 (1000)", ...), in
// the order the exchanges appeared on the connection, and only the last page grows. The reason
// is Qt's QTreeView (6.4): a row inserted under an expanded parent schedules a layout of every
// expanded row, so a connection showing 100,000 streams costs a walk of 100,000 rows per batch.
// Pages start collapsed: appending to a paged connection inserts into its last page (collapsed:
// no relayout) or adds a page (a relayout of the connections and their pages only).
//
// A position is an exchange's index in ConnectionInfo::exchanges (0-based); `count` is how many
// of them the tree shows.
struct StreamPaging
{
    // Exchanges per page, and the most a connection lists without pages. 1,000: a page scrolls
    // in a few screens, a relayout of an expanded one costs well under a millisecond, and
    // 100,000 streams make 100 page rows.
    static constexpr int kDefaultPageSize = 1000;

    int pageSize = kDefaultPageSize;

    constexpr bool paged(int count) const { return count > pageSize; }
    // Rows directly under the connection: its exchanges, or its pages.
    constexpr int childCount(int count) const { return paged(count) ? pageCount(count) : count; }
    constexpr int pageCount(int count) const
    {
        return count <= 0 ? 0 : (count + pageSize - 1) / pageSize;
    }
    constexpr int pageOf(int pos) const { return pos / pageSize; }
    constexpr int rowInPage(int pos) const { return pos % pageSize; }
    constexpr int firstOfPage(int page) const { return page * pageSize; }
    // Exchanges on page `page` when the connection shows `count` (0 past the last page).
    constexpr int pageRowCount(int count, int page) const
    {
        const int left = count - firstOfPage(page);
        return page < 0 || left <= 0 ? 0 : (left < pageSize ? left : pageSize);
    }
};

} // namespace hopscope
