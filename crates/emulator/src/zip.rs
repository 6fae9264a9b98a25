//! A ZIP archive of stored (uncompressed) entries, as the Files API's download answers: the
//! local headers, the data, the central directory and its end record (PKWARE's APPNOTE 4.3).

/// The archive of `entries` (name, bytes), each stored as it is.
pub fn stored(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut archive = Vec::new();
    let mut directory = Vec::new();
    for (name, content) in entries {
        let offset = archive.len() as u32;
        let crc = crc32fast::hash(content);
        let size = content.len() as u32;
        let name = name.as_bytes();
        // Local file header: version 2.0, no flags, stored, no date.
        archive.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        push_common(&mut archive, crc, size, name.len());
        archive.extend_from_slice(name);
        archive.extend_from_slice(content);
        // Its central directory entry.
        directory.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        directory.extend_from_slice(&20u16.to_le_bytes());
        push_common(&mut directory, crc, size, name.len());
        directory.extend_from_slice(&[0; 8]); // comment length, disk, internal attributes
        directory.extend_from_slice(&0u32.to_le_bytes()); // external attributes
        directory.extend_from_slice(&offset.to_le_bytes());
        directory.extend_from_slice(name);
    }
    let directory_offset = archive.len() as u32;
    archive.extend_from_slice(&directory);
    archive.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    archive.extend_from_slice(&[0; 4]); // this disk, the directory's disk
    let count = entries.len() as u16;
    archive.extend_from_slice(&count.to_le_bytes());
    archive.extend_from_slice(&count.to_le_bytes());
    archive.extend_from_slice(&(directory.len() as u32).to_le_bytes());
    archive.extend_from_slice(&directory_offset.to_le_bytes());
    archive.extend_from_slice(&0u16.to_le_bytes());
    archive
}

/// The fields a local header and a directory entry share, from "version needed" to the extra
/// field's length.
fn push_common(out: &mut Vec<u8>, crc: u32, size: u32, name_len: usize) {
    out.extend_from_slice(&20u16.to_le_bytes()); // version needed
    out.extend_from_slice(&0u16.to_le_bytes()); // flags
    out.extend_from_slice(&0u16.to_le_bytes()); // stored
    out.extend_from_slice(&[0; 4]); // time, date
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&(name_len as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes()); // extra field
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_archive_holds_each_entry_and_ends_with_its_directory() {
        let archive = super::stored(&[("a.pdf", b"%PDF-1.4"), ("b.csv", b"x,y\n1,2\n")]);
        assert_eq!(&archive[..4], b"PK\x03\x04");
        let end = archive.len() - 22;
        assert_eq!(&archive[end..end + 4], b"PK\x05\x06");
        assert_eq!(u16::from_le_bytes([archive[end + 10], archive[end + 11]]), 2);
        let directory_offset = u32::from_le_bytes(archive[end + 16..end + 20].try_into().unwrap()) as usize;
        assert_eq!(&archive[directory_offset..directory_offset + 4], b"PK\x01\x02");
        let first_data = 30 + "a.pdf".len();
        assert_eq!(&archive[first_data..first_data + 8], b"%PDF-1.4");
    }
}
