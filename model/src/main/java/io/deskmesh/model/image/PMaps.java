package io.deskmesh.model.image;

import org.pcollections.TreePMap;
import org.pcollections.TreePSet;

/** Small helpers for nested persistent sorted maps and sets. Stateless, thread-safe. */
final class PMaps {
    private PMaps() {
    }

    /** Adds {@code value} to the set under {@code k1 → k2}. */
    static <A extends Comparable<? super A>, B extends Comparable<? super B>, V extends Comparable<? super V>>
    TreePMap<A, TreePMap<B, TreePSet<V>>> addNested(TreePMap<A, TreePMap<B, TreePSet<V>>> map, A k1, B k2, V value) {
        TreePMap<B, TreePSet<V>> inner = map.getOrDefault(k1, TreePMap.empty());
        TreePSet<V> set = inner.getOrDefault(k2, TreePSet.empty());
        return map.plus(k1, inner.plus(k2, set.plus(value)));
    }

    /** Removes {@code value} from the set under {@code k1 → k2}, dropping emptied levels. */
    static <A extends Comparable<? super A>, B extends Comparable<? super B>, V extends Comparable<? super V>>
    TreePMap<A, TreePMap<B, TreePSet<V>>> removeNested(TreePMap<A, TreePMap<B, TreePSet<V>>> map, A k1, B k2, V value) {
        TreePMap<B, TreePSet<V>> inner = map.get(k1);
        if (inner == null) {
            return map;
        }
        TreePSet<V> set = inner.get(k2);
        if (set == null || !set.contains(value)) {
            return map;
        }
        TreePSet<V> less = set.minus(value);
        TreePMap<B, TreePSet<V>> innerLess = less.isEmpty() ? inner.minus(k2) : inner.plus(k2, less);
        return innerLess.isEmpty() ? map.minus(k1) : map.plus(k1, innerLess);
    }

    /** Adds {@code value} to the set under {@code key}. */
    static <K extends Comparable<? super K>, V extends Comparable<? super V>>
    TreePMap<K, TreePSet<V>> addToSet(TreePMap<K, TreePSet<V>> map, K key, V value) {
        return map.plus(key, map.getOrDefault(key, TreePSet.empty()).plus(value));
    }

    /** Removes {@code value} from the set under {@code key}, dropping the key when the set empties. */
    static <K extends Comparable<? super K>, V extends Comparable<? super V>>
    TreePMap<K, TreePSet<V>> removeFromSet(TreePMap<K, TreePSet<V>> map, K key, V value) {
        TreePSet<V> set = map.get(key);
        if (set == null) {
            return map;
        }
        TreePSet<V> less = set.minus(value);
        return less.isEmpty() ? map.minus(key) : map.plus(key, less);
    }

    /** The set under {@code k1 → k2}, empty when absent. */
    static <A, B, V extends Comparable<? super V>> TreePSet<V> nested(TreePMap<A, TreePMap<B, TreePSet<V>>> map, A k1, B k2) {
        TreePMap<B, TreePSet<V>> inner = map.get(k1);
        if (inner == null) {
            return TreePSet.empty();
        }
        TreePSet<V> set = inner.get(k2);
        return set == null ? TreePSet.empty() : set;
    }
}
