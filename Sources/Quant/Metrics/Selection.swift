/// In-place selection (the `nth_element` of C++): after `select(k)` the buffer holds its `k`-th smallest value
/// at index `k`, nothing larger before it and nothing smaller after it. Expected O(n): quickselect with a
/// median-of-three pivot, falling back to a full sort of the remaining range after 2·log2(n) rounds so an
/// adversarial input cannot make it quadratic (introselect).
enum Selection {
    static func select(_ a: UnsafeMutableBufferPointer<Double>, _ k: Int) {
        precondition(a.indices.contains(k))
        var lo = 0, hi = a.count - 1
        var rounds = 2 * (Int.bitWidth - a.count.leadingZeroBitCount) + 4
        while hi > lo {
            if hi - lo < 24 || rounds == 0 {
                var range = UnsafeMutableBufferPointer(rebasing: a[lo...hi])
                range.sort()
                return
            }
            rounds -= 1
            let mid = lo + (hi - lo) / 2
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while a[j] > pivot { j -= 1 }
                if i <= j {
                    a.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            // Now a[lo...j] <= pivot, a[i...hi] >= pivot, and anything strictly between equals pivot.
            if k <= j {
                hi = j
            } else if k >= i {
                lo = i
            } else {
                return
            }
        }
    }
}
