//! An append-only set of distinct byte strings. Values live back to back in one arena; an
//! open-addressing index holds, per slot, a 32-bit hash tag and the value's id, so probing and
//! growing read only the index and touch a value's bytes only when tags match.
//!
//! Cost per distinct value: its bytes, an 8-byte offset, and 8 bytes per index slot at a load
//! factor of at most 3/4 (about 11 bytes), with no allocation per value.

use std::hash::BuildHasher;

pub struct ValueTable {
    hasher: foldhash::fast::FixedState,
    arena: Vec<u8>,
    /// `offsets[id]..offsets[id + 1]` is value `id` in the arena.
    offsets: Vec<u64>,
    /// `tag << 32 | (id + 1)` per slot; 0 is an empty slot.
    slots: Vec<u64>,
    /// `64 - log2(slots.len())`: positions are the top bits of a multiplicative mix of the tag.
    shift: u32,
}

/// Where `insert` found the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Seen before, with this id.
    Existing(u32),
    /// Added now, with this id (ids count up from 0 in insertion order).
    New(u32),
}

const INITIAL_SLOTS: usize = 1024;

impl Default for ValueTable {
    fn default() -> Self {
        ValueTable::with_capacity(0, 0)
    }
}

impl ValueTable {
    /// A table sized for about `values` distinct values of `bytes` bytes in all, so that filling
    /// it does not grow the index step by step.
    pub fn with_capacity(values: usize, bytes: usize) -> ValueTable {
        let slots = (values.saturating_mul(4) / 3 + 1).next_power_of_two().max(INITIAL_SLOTS);
        let mut offsets = Vec::with_capacity(values + 1);
        offsets.push(0);
        ValueTable {
            hasher: foldhash::fast::FixedState::with_seed(0x7275_7468),
            arena: Vec::with_capacity(bytes),
            offsets,
            slots: vec![0; slots],
            shift: 64 - slots.trailing_zeros(),
        }
    }

    /// Distinct values held.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The bytes of value `id`.
    pub fn get(&self, id: u32) -> &[u8] {
        let (start, end) = (self.offsets[id as usize] as usize, self.offsets[id as usize + 1] as usize);
        &self.arena[start..end]
    }

    /// The id of `key`, if the table holds it.
    pub fn id_of(&self, key: &[u8]) -> Option<u32> {
        self.probe(key, self.tag(key)).ok()
    }

    /// Looks `key` (tagged `tag`) up: its id, or the empty slot where it belongs.
    #[inline]
    fn probe(&self, key: &[u8], tag: u32) -> Result<u32, usize> {
        self.walk(tag, |id| self.get(id) == key)
    }

    /// Walks the probe path of `tag` to the first value tagged `tag` that `is_it` accepts (its
    /// id), or to an empty slot (its position).
    #[inline]
    fn walk(&self, tag: u32, is_it: impl Fn(u32) -> bool) -> Result<u32, usize> {
        let mask = self.slots.len() - 1;
        let mut position = Self::position(tag, self.shift);
        loop {
            let slot = self.slots[position];
            if slot == 0 {
                return Err(position);
            }
            let id = (slot as u32).wrapping_sub(1);
            if (slot >> 32) as u32 == tag && is_it(id) {
                return Ok(id);
            }
            position = (position + 1) & mask;
        }
    }

    /// Bytes of all values held.
    pub fn key_bytes(&self) -> usize {
        self.arena.len()
    }

    /// Bytes the table has allocated (values, offsets and index).
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity() + self.offsets.capacity() * 8 + self.slots.capacity() * 8
    }

    /// The 64-bit hash of `key` (well mixed, the same on every platform).
    #[inline]
    pub fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The tag of `key`: the top 32 bits of its hash.
    #[inline]
    pub fn tag(&self, key: &[u8]) -> u32 {
        (self.hash(key) >> 32) as u32
    }

    /// Reads the slot where a lookup of `tag` starts. Reading ahead what the lookups of a group
    /// of keys will read (their start slots without a branch, then the offsets of the values
    /// `tagged_id` finds, then their bytes) lets the cache misses of the group overlap
    /// (WebAssembly has no prefetch).
    #[inline]
    pub fn touch(&self, tag: u32) -> u64 {
        self.slots[Self::position(tag, self.shift)]
    }

    /// The id of the first value tagged `tag` on the probe path of `tag`, without comparing
    /// keys: the likely answer of a lookup, to read ahead (see `touch`).
    #[inline]
    pub fn tagged_id(&self, tag: u32) -> Option<u32> {
        self.walk(tag, |_| true).ok()
    }

    /// Reads where value `id` starts, ahead of a lookup (see `touch`).
    #[inline]
    pub fn touch_offset(&self, id: u32) -> u64 {
        self.offsets[id as usize]
    }

    /// Reads the first byte of value `id`, ahead of a lookup (see `touch`).
    #[inline]
    pub fn touch_value(&self, id: u32) -> u64 {
        self.arena.get(self.offsets[id as usize] as usize).copied().map_or(0, u64::from)
    }

    /// Finds `key`, whose tag is `tag`, adding it if absent.
    #[inline]
    pub fn insert_tagged(&mut self, key: &[u8], tag: u32) -> Slot {
        let position = match self.probe(key, tag) {
            Ok(id) => return Slot::Existing(id),
            Err(empty) => empty,
        };
        let id = u32::try_from(self.len()).expect("fewer than 2^32 distinct values per column");
        self.slots[position] = (u64::from(tag) << 32) | u64::from(id + 1);
        self.arena.extend_from_slice(key);
        self.offsets.push(self.arena.len() as u64);
        if self.len() * 4 >= self.slots.len() * 3 {
            self.grow();
        }
        Slot::New(id)
    }

    #[inline]
    fn position(tag: u32, shift: u32) -> usize {
        (u64::from(tag).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> shift) as usize
    }

    /// Doubles the index, placing every slot again from its tag alone.
    fn grow(&mut self) {
        let doubled = vec![0; self.slots.len() * 2];
        let slots = std::mem::replace(&mut self.slots, doubled);
        self.shift -= 1;
        let mask = self.slots.len() - 1;
        for slot in slots.into_iter().filter(|&s| s != 0) {
            let mut position = Self::position((slot >> 32) as u32, self.shift);
            while self.slots[position] != 0 {
                position = (position + 1) & mask;
            }
            self.slots[position] = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn insert(table: &mut ValueTable, key: &[u8]) -> Slot {
        table.insert_tagged(key, table.tag(key))
    }

    #[test]
    fn finds_what_it_holds_through_growth() {
        let mut table = ValueTable::default();
        for i in 0..100_000u32 {
            assert_eq!(insert(&mut table, &i.to_le_bytes()), Slot::New(i));
        }
        for i in (0..100_000u32).rev() {
            assert_eq!(insert(&mut table, &i.to_le_bytes()), Slot::Existing(i));
            assert_eq!(table.get(i), i.to_le_bytes());
        }
        assert_eq!(insert(&mut table, b""), Slot::New(100_000));
        assert_eq!(insert(&mut table, b""), Slot::Existing(100_000));
        assert_eq!(table.len(), 100_001);
    }
}
