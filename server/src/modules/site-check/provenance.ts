/**
 * The provenance (来源) a report files: the parse route's provenance as the request carried it,
 * with its source coordinates kept only while they still describe the filed site — reprojected
 * within 1 mm of every vertex. A site repaired by the check, edited on the map after upload, or
 * simply not matching keeps its provenance, but the source coordinates are dropped and the
 * report says why.
 */
import type { ProvenanceVerification, SiteGeometry, SiteProvenance, SiteProvenanceRecord } from '../../../../core/contracts/site-check.ts';
import { compareSource, isPlainDrawn, VERIFIED_TEXT } from '../../../../core/provenance.ts';
import { signProvenance, verifyProvenance, type Verification } from '../geometry/provenance-signature.ts';

const UNVERIFIED: Record<Exclude<Verification, { verified: true }>['reason'], { zh: string; en: string }> = {
  missing: {
    zh: '来源信息未附服务器签名（不是本系统解析文件所得，或在地图上绘制），按请求所附原样记录',
    en: 'the provenance carries no server signature (not from a file this server parsed, or drawn on the map); filed as the request sent it',
  },
  invalid: {
    zh: '来源信息与服务器解析时签发的不一致（解析后被改动，或服务器密钥已更换，例如解析后服务器重启），按请求所附原样记录',
    en: 'the provenance is not what the server signed when it parsed the file (changed since, or the server’s key changed, e.g. a restart after the parse); filed as the request sent it',
  },
  geometry: {
    zh: '提交的选址不是该文件解析出的图形，而来源信息未标明上传后修改过，按请求所附原样记录',
    en: 'the submitted site is not the geometry the file was parsed into, yet the provenance does not say it was edited; filed as the request sent it',
  },
};

/** A site drawn on the map makes no claim about a file: nothing to sign or check (core/provenance.ts isPlainDrawn). */
export const DRAWN: ProvenanceVerification = {
  verified: false,
  zh: '在地图上绘制的选址：没有文件来源可供核验（按提交者所述记录）',
  en: 'A site drawn on the map: there is no file to verify (recorded as the submitter states)',
};

function verificationOf(v: Verification): ProvenanceVerification {
  if (v.verified) return { verified: true, ...VERIFIED_TEXT.verified };
  const why = UNVERIFIED[v.reason];
  return { verified: false, zh: `${VERIFIED_TEXT.unverified.zh}：${why.zh}。`, en: `${VERIFIED_TEXT.unverified.en}: ${why.en}.` };
}

/**
 * The provenance to file, or null when the request named none: checked against the server's
 * signature (verified or not, and why), the source coordinates kept or dropped. A verified
 * record is signed again as filed, so a re-check of the same site (trimmed, repaired) from the
 * report is verified too; an unverified one keeps no signature.
 */
export function provenanceRecord(p: SiteProvenance | undefined, submitted: SiteGeometry, repaired: boolean): SiteProvenanceRecord | null {
  if (!p) return null;
  const verification = isPlainDrawn(p) ? DRAWN : verificationOf(verifyProvenance(p, submitted));
  const { signature: _s, ...unsigned } = p;
  const { sourceCheck, ...record } = sourceRecord(unsigned, submitted, repaired);
  const filed = verification.verified ? signProvenance(record, [submitted]) : record;
  return { ...filed, sourceCheck, verification };
}

/** The provenance with its source coordinates checked against the site. */
function sourceRecord(p: SiteProvenance, submitted: SiteGeometry, repaired: boolean): SiteProvenanceRecord {
  if (!p.source) {
    const lonLat = /^EPSG:(4490|4326|4214|4610)$/.test(p.confirmed?.crs ?? '');
    return {
      ...p,
      sourceCheck: {
        status: 'none',
        maxDeviationM: null,
        zh: p.format === 'drawn' ? '在地图上绘制的选址，没有原始坐标。' : lonLat ? '文件为经纬度坐标，没有另存原始投影坐标。' : '解析结果未附原始投影坐标。',
        en: p.format === 'drawn' ? 'A site drawn on the map has no source coordinates.' : lonLat ? 'The file is in lon/lat; no projected source coordinates are kept.' : 'The parse gave no projected source coordinates.',
      },
    };
  }
  const dropped = (zh: string, en: string, maxDeviationM: number | null = null): SiteProvenanceRecord => ({
    ...p,
    source: null,
    sourceCheck: { status: 'dropped', maxDeviationM, zh: `原始坐标未保存：${zh}。`, en: `The source coordinates were not kept: ${en}.` },
  });
  if (repaired) {
    return dropped('选址几何无效，经自动修复后已不是文件中的图形', 'the site was invalid and repaired, so it is no longer the file’s shape');
  }
  const cmp = compareSource(p.source, submitted);
  if (!cmp.matches) {
    const at = cmp.reason === 'distance' ? cmp.maxDeviationM : null;
    if (p.edited) return dropped(`选址在上传后于地图上修改过（${cmp.zh}）`, `the site was edited on the map after upload (${cmp.en})`, at);
    return dropped(cmp.zh, cmp.en, at);
  }
  return {
    ...p,
    sourceCheck: {
      status: 'matched',
      maxDeviationM: cmp.maxDeviationM,
      zh: `原始坐标换算至 CGCS2000 后与选址各顶点一致（最大差 ${(cmp.maxDeviationM * 1000).toFixed(3)} 毫米）。`,
      en: `The source coordinates, reprojected to CGCS2000, agree with every vertex of the site (at most ${(cmp.maxDeviationM * 1000).toFixed(3)} mm apart).`,
    },
  };
}
