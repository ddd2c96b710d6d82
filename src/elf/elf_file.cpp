#include "elf/elf_file.hpp"

#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>

namespace gpuenv::elf {

std::string machine_name(int machine, int elf_class) {
  switch (machine) {
    case EM_X86_64: return "x86_64";
    case EM_386: return "i386";
    case EM_AARCH64: return "aarch64";
    case EM_ARM: return "arm";
    case EM_PPC64: return "ppc64le";
    case EM_S390: return "s390x";
    case EM_RISCV: return elf_class == 32 ? "riscv32" : "riscv64";
    default: return "machine " + std::to_string(machine);
  }
}

bool looks_like_elf(std::string_view head) { return head.size() >= 4 && head.substr(0, 4) == "\177ELF"; }

Result<std::shared_ptr<MappedFile>> MappedFile::open(const Fs& fs, std::string_view path) {
  auto real = fs.realpath(path);
  std::string hp = fs.host_path(real ? *real : std::string(path));
  int fd = ::open(hp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return make_error(std::string(path) + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(std::string(path) + ": not a regular file");
  }
  std::shared_ptr<MappedFile> m(new MappedFile());
  m->fd_ = fd;
  m->size_ = std::uint64_t(st.st_size);
  if (m->size_ > 0) {
    // MAP_PRIVATE with write permission: libelf may convert data in place; nothing reaches the file.
    void* p = ::mmap(nullptr, m->size_, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) return make_error(std::string(path) + ": mmap: " + std::strerror(errno));
    m->data_ = static_cast<const unsigned char*>(p);
  }
  return m;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<unsigned char*>(data_), size_);
  if (fd_ >= 0) ::close(fd_);
}

namespace {

void init_libelf() {
  static std::once_flag once;
  std::call_once(once, [] { elf_version(EV_CURRENT); });
}

struct ElfHandle {
  Elf* e = nullptr;
  ~ElfHandle() {
    if (e) elf_end(e);
  }
};

std::string errmsg(const char* what) {
  const char* m = elf_errmsg(-1);
  return std::string(what) + (m ? std::string(": ") + m : std::string());
}

// Reads the dynamic entries given the raw .dynamic bytes and a resolver for string offsets.
template <class StrFn>
void read_dynamic(Elf_Data* dyn, size_t count, StrFn str, ElfInfo& info) {
  for (size_t i = 0; i < count; ++i) {
    GElf_Dyn d;
    if (!gelf_getdyn(dyn, int(i), &d)) break;
    if (d.d_tag == DT_NULL) break;
    switch (d.d_tag) {
      case DT_NEEDED:
        if (auto s = str(d.d_un.d_val)) info.needed.emplace_back(s);
        break;
      case DT_SONAME:
        if (auto s = str(d.d_un.d_val)) info.soname = s;
        break;
      case DT_RPATH:
        if (auto s = str(d.d_un.d_val)) info.rpath = s;
        info.has_rpath = true;
        break;
      case DT_RUNPATH:
        if (auto s = str(d.d_un.d_val)) info.runpath = s;
        info.has_runpath = true;
        break;
      case DT_FLAGS_1:
        if (d.d_un.d_val & DF_1_NODEFLIB) info.nodeflib = true;
        break;
      default: break;
    }
  }
}

}  // namespace

Result<ElfInfo> read_elf(const MappedFile& file) {
  init_libelf();
  ElfInfo info;
  info.file_size = file.size();
  if (file.size() < EI_NIDENT || !looks_like_elf({reinterpret_cast<const char*>(file.data()), 4}))
    return make_error("not an ELF file");
  ElfHandle h;
  h.e = elf_memory(reinterpret_cast<char*>(const_cast<unsigned char*>(file.data())), file.size());
  if (!h.e || elf_kind(h.e) != ELF_K_ELF) return make_error(errmsg("not a readable ELF file"));
  GElf_Ehdr eh;
  if (!gelf_getehdr(h.e, &eh)) return make_error(errmsg("truncated ELF header"));
  info.elf_class = eh.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : eh.e_ident[EI_CLASS] == ELFCLASS32 ? 32 : 0;
  info.data = eh.e_ident[EI_DATA];
  info.osabi = eh.e_ident[EI_OSABI];
  info.machine = eh.e_machine;
  info.type = eh.e_type;
  if (info.elf_class == 0) return make_error("unknown ELF class");
  // A file cut short (an interrupted copy or download) still has a whole header. Like glibc's open_verify,
  // program headers past the end make it unloadable (an error: the loader stops at it with "cannot read
  // file data"); section headers or a loadable segment past the end do not stop the loader, which maps the
  // file and crashes later (ElfInfo::damage).
  auto fits = [&](std::uint64_t off, std::uint64_t len) { return off <= file.size() && len <= file.size() - off; };
  if (eh.e_phnum > 0 && eh.e_phnum < PN_XNUM && !fits(eh.e_phoff, std::uint64_t(eh.e_phnum) * eh.e_phentsize))
    return make_error("the program headers lie beyond the end of the file (" + std::to_string(file.size()) +
                      " bytes): truncated");
  bool sections_ok = true;
  if (eh.e_shoff != 0 && eh.e_shnum > 0 && !fits(eh.e_shoff, std::uint64_t(eh.e_shnum) * eh.e_shentsize)) {
    sections_ok = false;
    info.damage = "the section headers lie beyond the end of the file (" + std::to_string(file.size()) + " bytes): truncated";
  }
  {
    size_t phnum = 0;
    if (elf_getphdrnum(h.e, &phnum) == 0)
      for (size_t i = 0; i < phnum && info.damage.empty(); ++i) {
        GElf_Phdr ph;
        if (gelf_getphdr(h.e, int(i), &ph) && ph.p_type == PT_LOAD && !fits(ph.p_offset, ph.p_filesz))
          info.damage = "a loadable segment (offset " + std::to_string(ph.p_offset) + ", " + std::to_string(ph.p_filesz) +
                        " bytes) lies beyond the end of the file (" + std::to_string(file.size()) + " bytes): truncated";
      }
  }

  // Section headers: .dynamic (with its string table) and .nv_fatbin.
  size_t shstrndx = 0;
  bool have_sections = sections_ok && elf_getshdrstrndx(h.e, &shstrndx) == 0;
  bool found_dynamic = false;
  if (have_sections) {
    Elf_Scn* scn = nullptr;
    while ((scn = elf_nextscn(h.e, scn)) != nullptr) {
      GElf_Shdr sh;
      if (!gelf_getshdr(scn, &sh)) return make_error(errmsg("corrupt section header"));
      const char* name = elf_strptr(h.e, shstrndx, sh.sh_name);
      if (name && std::strcmp(name, ".nv_fatbin") == 0 && sh.sh_type != SHT_NOBITS) {
        if (sh.sh_offset > file.size() || file.size() - sh.sh_offset < sh.sh_size)
          return make_error(".nv_fatbin section lies beyond the end of the file (truncated)");
        info.fatbin_offset = sh.sh_offset;
        info.fatbin_size = sh.sh_size;
      }
      bool in_file = sh.sh_type != SHT_NOBITS && sh.sh_offset <= file.size() && file.size() - sh.sh_offset >= sh.sh_size;
      if (name && in_file && (std::strcmp(name, ".nvFatBinSegment") == 0 || std::strcmp(name, "__nv_relfatbin") == 0)) {
        std::uint32_t magic = 0;
        if (sh.sh_size >= 4) std::memcpy(&magic, file.data() + sh.sh_offset, 4);
        if (magic == 0x466243B1u || std::strcmp(name, "__nv_relfatbin") == 0) info.fatbin_wrappers = true;
      }
      if (name && in_file && sh.sh_size >= 16 && (sh.sh_flags & SHF_ALLOC) && !(sh.sh_flags & SHF_EXECINSTR) &&
          std::strcmp(name, ".nv_fatbin") != 0)
        info.data_sections.push_back({name, sh.sh_offset, sh.sh_size});
      if (sh.sh_type == SHT_DYNAMIC && !found_dynamic) {
        found_dynamic = true;
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (!data) return make_error(errmsg("cannot read .dynamic (truncated?)"));
        size_t strndx = sh.sh_link;
        size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
        read_dynamic(data, count, [&](std::uint64_t off) { return elf_strptr(h.e, strndx, off); }, info);
      }
    }
  }
  if (!found_dynamic) {
    // No section headers (stripped): the PT_DYNAMIC segment, with DT_STRTAB mapped through PT_LOAD.
    size_t phnum = 0;
    if (elf_getphdrnum(h.e, &phnum) != 0) return make_error(errmsg("corrupt program headers"));
    std::vector<GElf_Phdr> loads;
    GElf_Phdr dynph{};
    bool have_dyn = false;
    for (size_t i = 0; i < phnum; ++i) {
      GElf_Phdr ph;
      if (!gelf_getphdr(h.e, int(i), &ph)) return make_error(errmsg("corrupt program header"));
      if (ph.p_type == PT_LOAD) loads.push_back(ph);
      if (ph.p_type == PT_DYNAMIC) {
        dynph = ph;
        have_dyn = true;
      }
    }
    if (have_dyn && !info.damage.empty() && !fits(dynph.p_offset, dynph.p_filesz)) have_dyn = false;
    if (have_dyn) {
      Elf_Type t = ELF_T_DYN;
      Elf_Data* data = elf_getdata_rawchunk(h.e, int64_t(dynph.p_offset), dynph.p_filesz, t);
      if (!data) return make_error(errmsg("cannot read PT_DYNAMIC (truncated?)"));
      size_t count = dynph.p_filesz / gelf_fsize(h.e, ELF_T_DYN, 1, EV_CURRENT);
      std::uint64_t strtab = 0, strsz = 0;
      for (size_t i = 0; i < count; ++i) {
        GElf_Dyn d;
        if (!gelf_getdyn(data, int(i), &d) || d.d_tag == DT_NULL) break;
        if (d.d_tag == DT_STRTAB) strtab = d.d_un.d_ptr;
        if (d.d_tag == DT_STRSZ) strsz = d.d_un.d_val;
      }
      std::uint64_t stroff = 0;
      bool mapped = false;
      for (auto& l : loads)
        if (strtab >= l.p_vaddr && strtab - l.p_vaddr < l.p_filesz) {
          stroff = l.p_offset + (strtab - l.p_vaddr);
          mapped = true;
        }
      if (mapped && stroff <= file.size() && strsz <= file.size() - stroff) {
        const char* base = reinterpret_cast<const char*>(file.data()) + stroff;
        read_dynamic(data, count,
                     [&](std::uint64_t off) -> const char* {
                       if (off >= strsz || !std::memchr(base + off, 0, strsz - off)) return nullptr;
                       return base + off;
                     },
                     info);
      }
    }
  }
  // glibc: "If both RUNPATH and RPATH are given, the latter is ignored." (elf/get-dynamic-info.h)
  return info;
}

Result<ElfInfo> read_elf(const Fs& fs, std::string_view path) {
  auto m = MappedFile::open(fs, path);
  if (!m) return make_error(m.error());
  auto r = read_elf(**m);
  if (!r) return make_error(std::string(path) + ": " + r.error());
  return r;
}

}  // namespace gpuenv::elf
