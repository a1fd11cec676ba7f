//! Znode paths: absolute, `/`-separated names, like a file system without relative paths.
//!
//! The rules are those of ZooKeeper's `PathUtils.validatePath`: a path starts with `/`,
//! has no empty component (`//`), no `.` or `..` component, does not end with `/`
//! (except the root `/` itself) and holds no control character. ZooKeeper also refuses
//! the private-use block `U+E000..=U+F8FF` and `U+FFF0..=U+FFFF`, and so do we, so a
//! path valid here is valid there. A refused path is `BadArguments`.

use super::ZkError;

/// Check an absolute znode path.
pub fn validate(path: &str) -> Result<(), ZkError> {
    let Some(rest) = path.strip_prefix('/') else { return Err(ZkError::BadArguments) };
    if rest.is_empty() {
        return Ok(()); // the root
    }
    // `split` yields an empty last component for a trailing `/`, so this one test also
    // refuses "/a/" and "/a//b".
    let bad_component = rest.split('/').any(|c| c.is_empty() || c == "." || c == "..");
    if bad_component || path.chars().any(forbidden) {
        return Err(ZkError::BadArguments);
    }
    Ok(())
}

/// Check the path of a create. A sequential create appends a counter, so its path may end
/// in `/` (`/lock/` becomes `/lock/0000000003`): ZooKeeper validates `path + "1"` for it.
pub fn validate_create(path: &str, sequential: bool) -> Result<(), ZkError> {
    if sequential {
        validate(&format!("{path}1"))
    } else {
        validate(path)
    }
}

/// Split a validated path into its parent and its last component:
/// `/a/b` gives `("/a", "b")`, `/a` gives `("/", "a")`. The root gives `("/", "")`,
/// which only a sequential create of `/` uses (to number children of the root).
pub fn split(path: &str) -> (&str, &str) {
    let slash = path.rfind('/').unwrap_or(0);
    let parent = if slash == 0 { "/" } else { &path[..slash] };
    (parent, &path[slash + 1..])
}

/// The characters ZooKeeper refuses in a path.
fn forbidden(c: char) -> bool {
    c.is_control() || ('\u{e000}'..='\u{f8ff}').contains(&c) || ('\u{fff0}'..='\u{ffff}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid_paths() {
        for ok in ["/", "/a", "/a/b", "/a.b/..c", "/锁/n-"] {
            assert_eq!(validate(ok), Ok(()), "{ok}");
        }
        for bad in ["", "a", "a/b", "/a/", "//", "/a//b", "/.", "/a/..", "/a\0b", "/a\nb", "/\u{e000}"] {
            assert_eq!(validate(bad), Err(ZkError::BadArguments), "{bad:?}");
        }
    }

    #[test]
    fn sequential_paths_may_end_in_a_slash() {
        assert_eq!(validate_create("/lock/", true), Ok(()));
        assert_eq!(validate_create("/lock/", false), Err(ZkError::BadArguments));
        assert_eq!(validate_create("/", true), Ok(()));
    }

    #[test]
    fn split_gives_parent_and_name() {
        assert_eq!(split("/a/b/c"), ("/a/b", "c"));
        assert_eq!(split("/a"), ("/", "a"));
        assert_eq!(split("/lock/"), ("/lock", ""));
        assert_eq!(split("/"), ("/", ""));
    }
}
