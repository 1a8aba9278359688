//! The files of the spill directory: created once, appended to, read back (whole or a range at a
//! time), removed.
//!
//! In WebAssembly they are `wasi:filesystem` descriptors written and read at offsets: the host
//! runs such calls on the calling thread (the CLI allows it), while a std file goes through an
//! output stream that hands every 64 KiB to a host thread pool and waits for it. Natively (the
//! host's planning and the tests) they are std files.

use std::io;
use std::path::Path;
#[cfg(not(target_arch = "wasm32"))]
use std::path::PathBuf;

#[cfg(target_arch = "wasm32")]
use wasip2::filesystem::types::{Descriptor, DescriptorFlags, ErrorCode, OpenFlags, PathFlags};

/// The spill directory.
pub struct SpillDir {
    /// The directory as the preopen the host granted.
    #[cfg(target_arch = "wasm32")]
    descriptor: Descriptor,
    #[cfg(not(target_arch = "wasm32"))]
    path: PathBuf,
}

/// A file of the spill directory.
pub struct SpillFile {
    #[cfg(target_arch = "wasm32")]
    descriptor: Descriptor,
    /// Bytes written so far (where the next append goes).
    #[cfg(target_arch = "wasm32")]
    len: u64,
    #[cfg(not(target_arch = "wasm32"))]
    file: std::fs::File,
}

#[cfg(target_arch = "wasm32")]
impl SpillDir {
    /// The directory `path`, which must be one the host preopened.
    pub fn open(path: &Path) -> io::Result<SpillDir> {
        let descriptor = wasip2::filesystem::preopens::get_directories()
            .into_iter()
            .find(|(_, name)| Path::new(name) == path)
            .map(|(descriptor, _)| descriptor)
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the host granted no such directory"))?;
        Ok(SpillDir { descriptor })
    }

    /// Creates the file `name`, which must not exist.
    pub fn create(&self, name: &str) -> io::Result<SpillFile> {
        let open = OpenFlags::CREATE | OpenFlags::EXCLUSIVE;
        let access = DescriptorFlags::READ | DescriptorFlags::WRITE;
        let descriptor = self.descriptor.open_at(PathFlags::empty(), name, open, access).map_err(io_error)?;
        Ok(SpillFile { descriptor, len: 0 })
    }

    /// Removes the file `name`.
    pub fn remove(&self, name: &str) -> io::Result<()> {
        self.descriptor.unlink_file_at(name).map_err(io_error)
    }
}

#[cfg(target_arch = "wasm32")]
impl SpillFile {
    /// Appends `bytes`.
    pub fn append(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            let written = self.descriptor.write(bytes, self.len).map_err(io_error)?;
            if written == 0 {
                return Err(io::Error::new(io::ErrorKind::WriteZero, "the file took no bytes"));
            }
            self.len += written;
            bytes = &bytes[written as usize..];
        }
        Ok(())
    }

    /// Appends every byte of the file to `into`.
    pub fn read_all(&self, into: &mut Vec<u8>) -> io::Result<()> {
        into.reserve(self.len as usize);
        let mut offset = 0;
        while offset < self.len {
            let (chunk, _) = self.descriptor.read(self.len - offset, offset).map_err(io_error)?;
            if chunk.is_empty() {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the file is shorter than written"));
            }
            offset += chunk.len() as u64;
            into.extend_from_slice(&chunk);
        }
        Ok(())
    }

    /// Replaces `into` with the `len` bytes at `offset`, which the file must hold.
    pub fn read_at(&self, offset: u64, len: usize, into: &mut Vec<u8>) -> io::Result<()> {
        into.clear();
        while into.len() < len {
            let at = offset + into.len() as u64;
            let (chunk, _) = self.descriptor.read((len - into.len()) as u64, at).map_err(io_error)?;
            if chunk.is_empty() {
                return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the file is shorter than written"));
            }
            into.extend_from_slice(&chunk);
        }
        Ok(())
    }
}

#[cfg(target_arch = "wasm32")]
fn io_error(code: ErrorCode) -> io::Error {
    io::Error::other(code.to_string())
}

#[cfg(not(target_arch = "wasm32"))]
impl SpillDir {
    /// The directory `path`.
    pub fn open(path: &Path) -> io::Result<SpillDir> {
        Ok(SpillDir { path: path.to_path_buf() })
    }

    /// Creates the file `name`, which must not exist.
    pub fn create(&self, name: &str) -> io::Result<SpillFile> {
        let file = std::fs::OpenOptions::new().read(true).write(true).create_new(true).open(self.path.join(name))?;
        Ok(SpillFile { file })
    }

    /// Removes the file `name`.
    pub fn remove(&self, name: &str) -> io::Result<()> {
        std::fs::remove_file(self.path.join(name))
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl SpillFile {
    /// Appends `bytes`.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write;
        (&self.file).write_all(bytes)
    }

    /// Appends every byte of the file to `into`.
    pub fn read_all(&self, into: &mut Vec<u8>) -> io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = &self.file;
        file.seek(SeekFrom::Start(0))?;
        let read = file.read_to_end(into);
        file.seek(SeekFrom::End(0))?;
        read.map(|_| ())
    }

    /// Replaces `into` with the `len` bytes at `offset`, which the file must hold.
    pub fn read_at(&self, offset: u64, len: usize, into: &mut Vec<u8>) -> io::Result<()> {
        use std::os::unix::fs::FileExt;
        into.resize(len, 0);
        self.file.read_exact_at(into, offset)
    }
}
