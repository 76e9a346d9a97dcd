#!/bin/sh
# Builds target/ssh-exporter-VERSION-1.noarch.rpm with rpmbuild from the files Maven staged.
# Usage: build.sh VERSION STAGED_DIR OUT_DIR (run by pom.xml's rpm profile in the package phase).
# The spec gets the scriptlets appended as they are (each % doubled, so that rpm expands
# nothing in them) and the %changelog converted from packaging/deb/changelog.
set -eu
version=$1 staged=$2 out=$3
here=$(cd "$(dirname "$0")" && pwd)
top="$out/rpmbuild"
rm -rf "$top"
mkdir -p "$top/SPECS"
spec="$top/SPECS/ssh-exporter.spec"
{
    cat "$here/ssh-exporter.spec"
    for s in post:post.sh preun:preun.sh postun:postun.sh; do
        printf '\n%%%s\n' "${s%%:*}"
        sed 's/%/%%/g' "$here/${s#*:}"
    done
    printf '\n%%changelog\n'
    "$here/changelog-from-deb.sh" <"$here/../deb/changelog"
} >"$spec"
# The build's own host name and time are not the package's business: the changelog's date is.
SOURCE_DATE_EPOCH=$(date -d "$(sed -n 's/^ -- .*>  \(.*\)$/\1/p;T;q' "$here/../deb/changelog")" +%s)
export SOURCE_DATE_EPOCH
rpmbuild -bb --quiet \
    --define "_topdir $top" \
    --define "_rpmdir $out" \
    --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
    --define "exporter_version $version" \
    --define "staged $staged" \
    --define "use_source_date_epoch_as_buildtime 1" \
    --define "clamp_mtime_to_source_date_epoch 1" \
    --define "_buildhost reproducible" \
    --define "__os_install_post %{nil}" \
    --define "_binary_payload w9.gzdio" \
    "$spec"
