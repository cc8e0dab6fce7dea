/**
 * VISTA3D's label vocabulary: the 132-class label dict, which ids the class head supports, the everything-mode
 * list, the subclass expansion of parent classes and the special classes whose clicks get labels 2/3.
 * Values as in MONAI's vista3d bundle 0.5.4 (spec vista3d.md, section 1 and appendices A/B).
 */

/** Ids above this one have no class-head embedding; with clicks they run zero-shot (spec 3.1). */
export const LAST_SUPPORTED_ID = 132;

/** Every label id must be below this (V4); 255 marks "not computed" in output files. */
export const LABEL_ID_LIMIT = 255;

/** Classes the README calls unsupported: refused without clicks (V5). */
export const UNSUPPORTED_IDS: readonly number[] = [16, 18, 129, 130, 131];

/** Parents of subclasses plus the unsupported and the overlapping tumour/vessel classes (spec 1.3). */
const EVERYTHING_EXCLUDED = new Set([2, 16, 18, 20, 21, 23, 24, 25, 26, 27, 128, 129, 130, 131, 132]);

/** The 117 ids of everything mode, ascending. */
export const EVERYTHING_LABELS: readonly number[] = range(1, LAST_SUPPORTED_ID + 1).filter((id) => !EVERYTHING_EXCLUDED.has(id));

/** The bundle's `subclass`: parent id (as a string key, like the JSON config) -> the ids it expands to. */
export const DEFAULT_SUBCLASS: Readonly<Record<string, readonly number[]>> = {
  '2': [14, 5],
  '20': [28, 29, 30, 31, 32],
  '21': [...range(33, 57), ...range(63, 98), 114, 120, 122],
};

/** VistaPreTransformd's default `special_index`, copied as-is from MONAI (not the network's own list). */
export const DEFAULT_SPECIAL_INDEX: readonly number[] = [25, 26, 27, 28, 29, 117];

/** Whether a label prompt can run without clicks: an integer in 1..132 other than the unsupported five. */
export function isSupportedWithoutPoints(id: unknown): boolean {
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= LAST_SUPPORTED_ID && !UNSUPPORTED_IDS.includes(id);
}

/** Whether an id needs the zero-shot embedding (no class-head row): 133..254. */
export function isZeroShotId(id: number): boolean {
  return id > LAST_SUPPORTED_ID;
}

export function range(start: number, stop: number): number[] {
  const out: number[] = [];
  for (let i = start; i < stop; i++) out.push(i);
  return out;
}

/**
 * Label names to ids, MONAI's `_convert_name_to_index`: names are matched lower-cased; a digit-only string is
 * that number; an unknown name is registered with the next free id (the mapping's size, so 133 for the
 * bundle's dict) and keeps it for the life of this instance. Elements that are neither strings nor numbers
 * are left for validation to report.
 */
export class LabelNames {
  private readonly nameToId = new Map<string, number>();

  constructor(labelsDict?: Readonly<Record<string, string>> | null) {
    for (const [id, name] of Object.entries(labelsDict ?? {})) this.nameToId.set(String(name).toLowerCase(), Number.parseInt(id, 10));
  }

  toIds(prompt: readonly unknown[]): unknown[] {
    for (const element of prompt) {
      if (typeof element === 'string' && !isDigits(element) && !this.nameToId.has(element.toLowerCase())) {
        this.nameToId.set(element.toLowerCase(), this.nameToId.size);
      }
    }
    return prompt.map((element) => {
      if (typeof element !== 'string') return element;
      return this.nameToId.get(element.toLowerCase()) ?? (isDigits(element) ? Number.parseInt(element, 10) : 0);
    });
  }

  /** The registered id of a name, if any (lower-cased lookup). */
  idOf(name: string): number | undefined {
    return this.nameToId.get(name.toLowerCase());
  }
}

function isDigits(s: string): boolean {
  return /^[0-9]+$/.test(s);
}

/** Appendix A: `metadata.json -> network_data_format.outputs.pred.channel_def`, 0 = background, 1..132 classes. */
export const CHANNEL_DEF: Readonly<Record<string, string>> = {
  '0': 'background',
  '1': 'liver',
  '2': 'kidney',
  '3': 'spleen',
  '4': 'pancreas',
  '5': 'right kidney',
  '6': 'aorta',
  '7': 'inferior vena cava',
  '8': 'right adrenal gland',
  '9': 'left adrenal gland',
  '10': 'gallbladder',
  '11': 'esophagus',
  '12': 'stomach',
  '13': 'duodenum',
  '14': 'left kidney',
  '15': 'bladder',
  '16': 'prostate or uterus',
  '17': 'portal vein and splenic vein',
  '18': 'rectum',
  '19': 'small bowel',
  '20': 'lung',
  '21': 'bone',
  '22': 'brain',
  '23': 'lung tumor',
  '24': 'pancreatic tumor',
  '25': 'hepatic vessel',
  '26': 'hepatic tumor',
  '27': 'colon cancer primaries',
  '28': 'left lung upper lobe',
  '29': 'left lung lower lobe',
  '30': 'right lung upper lobe',
  '31': 'right lung middle lobe',
  '32': 'right lung lower lobe',
  '33': 'vertebrae L5',
  '34': 'vertebrae L4',
  '35': 'vertebrae L3',
  '36': 'vertebrae L2',
  '37': 'vertebrae L1',
  '38': 'vertebrae T12',
  '39': 'vertebrae T11',
  '40': 'vertebrae T10',
  '41': 'vertebrae T9',
  '42': 'vertebrae T8',
  '43': 'vertebrae T7',
  '44': 'vertebrae T6',
  '45': 'vertebrae T5',
  '46': 'vertebrae T4',
  '47': 'vertebrae T3',
  '48': 'vertebrae T2',
  '49': 'vertebrae T1',
  '50': 'vertebrae C7',
  '51': 'vertebrae C6',
  '52': 'vertebrae C5',
  '53': 'vertebrae C4',
  '54': 'vertebrae C3',
  '55': 'vertebrae C2',
  '56': 'vertebrae C1',
  '57': 'trachea',
  '58': 'left iliac artery',
  '59': 'right iliac artery',
  '60': 'left iliac vena',
  '61': 'right iliac vena',
  '62': 'colon',
  '63': 'left rib 1',
  '64': 'left rib 2',
  '65': 'left rib 3',
  '66': 'left rib 4',
  '67': 'left rib 5',
  '68': 'left rib 6',
  '69': 'left rib 7',
  '70': 'left rib 8',
  '71': 'left rib 9',
  '72': 'left rib 10',
  '73': 'left rib 11',
  '74': 'left rib 12',
  '75': 'right rib 1',
  '76': 'right rib 2',
  '77': 'right rib 3',
  '78': 'right rib 4',
  '79': 'right rib 5',
  '80': 'right rib 6',
  '81': 'right rib 7',
  '82': 'right rib 8',
  '83': 'right rib 9',
  '84': 'right rib 10',
  '85': 'right rib 11',
  '86': 'right rib 12',
  '87': 'left humerus',
  '88': 'right humerus',
  '89': 'left scapula',
  '90': 'right scapula',
  '91': 'left clavicula',
  '92': 'right clavicula',
  '93': 'left femur',
  '94': 'right femur',
  '95': 'left hip',
  '96': 'right hip',
  '97': 'sacrum',
  '98': 'left gluteus maximus',
  '99': 'right gluteus maximus',
  '100': 'left gluteus medius',
  '101': 'right gluteus medius',
  '102': 'left gluteus minimus',
  '103': 'right gluteus minimus',
  '104': 'left autochthon',
  '105': 'right autochthon',
  '106': 'left iliopsoas',
  '107': 'right iliopsoas',
  '108': 'left atrial appendage',
  '109': 'brachiocephalic trunk',
  '110': 'left brachiocephalic vein',
  '111': 'right brachiocephalic vein',
  '112': 'left common carotid artery',
  '113': 'right common carotid artery',
  '114': 'costal cartilages',
  '115': 'heart',
  '116': 'left kidney cyst',
  '117': 'right kidney cyst',
  '118': 'prostate',
  '119': 'pulmonary vein',
  '120': 'skull',
  '121': 'spinal cord',
  '122': 'sternum',
  '123': 'left subclavian artery',
  '124': 'right subclavian artery',
  '125': 'superior vena cava',
  '126': 'thyroid gland',
  '127': 'vertebrae S1',
  '128': 'bone lesion',
  '129': 'kidney mass',
  '130': 'liver tumor',
  '131': 'vertebrae L6',
  '132': 'airway',
};
