#pragma once
// The per-shard table of the in-process velocity store: open addressing with linear
// probing over a power-of-two array, entities stored in their slots. A lookup touches one
// slot (its key and the entity's event-list header) instead of a bucket, a node and a
// division, which is what an update+read costs once the entities outgrow the caches.

#include <cstdint>
#include <utility>
#include <vector>

#include "features/velocity_entity.hpp"

namespace riskkit::detail {

/// A (feature, entity) as 128 bits of two independent hashes: no key strings to allocate
/// or compare, and a collision is not a practical concern.
struct EntityKey {
  std::uint64_t a = 0, b = 0;
  friend bool operator==(const EntityKey &x, const EntityKey &y) { return x.a == y.a && x.b == y.b; }
};

struct Entity {
  EntityEvents events;
  std::int64_t span_us = 0;  // window + lateness of its feature: how long its events matter
};

class EntityTable {
 public:
  std::size_t size() const noexcept { return size_; }

  Entity *find(const EntityKey &key) noexcept {
    if (slots_.empty()) return nullptr;
    for (std::size_t i = key.a & mask_;; i = (i + 1) & mask_) {
      Slot &s = slots_[i];
      if (!s.used) return nullptr;
      if (s.key == key) return &s.entity;
    }
  }

  /// The entity of `key`, created empty if absent.
  Entity &insert(const EntityKey &key) {
    if (Entity *e = find(key)) return *e;
    if (2 * (size_ + 1) > slots_.size()) grow();
    std::size_t i = key.a & mask_;
    while (slots_[i].used) i = (i + 1) & mask_;
    slots_[i].used = true;
    slots_[i].key = key;
    slots_[i].entity = Entity{};
    ++size_;
    return slots_[i].entity;
  }

  /// Removes every entity for which `doomed(key, entity)` is true.
  template <class Pred>
  void erase_if(Pred doomed) {
    for (std::size_t i = 0; i < slots_.size();) {
      if (slots_[i].used && doomed(slots_[i].key, slots_[i].entity)) {
        erase_at(i);  // the slot now holds a shifted-back entry (or is empty): look again
      } else {
        ++i;
      }
    }
  }

  bool erase(const EntityKey &key) {
    if (slots_.empty()) return false;
    for (std::size_t i = key.a & mask_;; i = (i + 1) & mask_) {
      if (!slots_[i].used) return false;
      if (slots_[i].key == key) {
        erase_at(i);
        return true;
      }
    }
  }

  template <class F>
  void for_each(F f) const {
    for (const Slot &s : slots_)
      if (s.used) f(s.key, s.entity);
  }

  void clear() {
    slots_.clear();
    mask_ = 0;
    size_ = 0;
  }

 private:
  struct Slot {
    EntityKey key;
    Entity entity;
    bool used = false;
  };

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_ = std::vector<Slot>(old.empty() ? 16 : old.size() * 2);
    mask_ = slots_.size() - 1;
    for (Slot &s : old) {
      if (!s.used) continue;
      std::size_t i = s.key.a & mask_;
      while (slots_[i].used) i = (i + 1) & mask_;
      slots_[i] = std::move(s);
    }
  }

  // Backward-shift deletion: later entries of the probe run move up, so no tombstones.
  void erase_at(std::size_t hole) {
    slots_[hole].used = false;
    slots_[hole].entity = Entity{};
    --size_;
    for (std::size_t j = (hole + 1) & mask_; slots_[j].used; j = (j + 1) & mask_) {
      const std::size_t home = slots_[j].key.a & mask_;
      // Move j into the hole unless its home lies cyclically in (hole, j].
      const bool stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (stays) continue;
      slots_[hole] = std::move(slots_[j]);
      slots_[j].used = false;
      slots_[j].entity = Entity{};
      hole = j;
    }
  }

  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace riskkit::detail
