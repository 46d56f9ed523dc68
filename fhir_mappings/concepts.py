"""The clinical concepts the service reasons about.

Codes (RxNorm, SNOMED CT, ICD-10-CM, LOINC) map to these concepts once, at the edge, in
`fhir_mappings`; everything downstream (the recommendations in `hooks`) speaks only in concepts.
"""

from __future__ import annotations

from enum import StrEnum


class Drug(StrEnum):
    """A drug by ingredient (combination products get one concept of their own)."""

    PREDNISONE = "prednisone"
    PREDNISOLONE = "prednisolone"
    METHYLPREDNISOLONE = "methylprednisolone"
    DEXAMETHASONE = "dexamethasone"
    HYDROCORTISONE = "hydrocortisone"
    METHOTREXATE = "methotrexate"
    FOLIC_ACID = "folic-acid"
    LEUCOVORIN = "leucovorin"
    AZATHIOPRINE = "azathioprine"
    MERCAPTOPURINE = "mercaptopurine"
    MYCOPHENOLATE_MOFETIL = "mycophenolate-mofetil"
    MYCOPHENOLIC_ACID = "mycophenolic-acid"
    TACROLIMUS = "tacrolimus"
    CICLOSPORIN = "ciclosporin"
    CYCLOPHOSPHAMIDE = "cyclophosphamide"
    RITUXIMAB = "rituximab"
    IVIG = "immune-globulin"
    HYDROXYCHLOROQUINE = "hydroxychloroquine"
    SULFAMETHOXAZOLE_TRIMETHOPRIM = "sulfamethoxazole-trimethoprim"
    ATOVAQUONE = "atovaquone"
    DAPSONE = "dapsone"
    PENTAMIDINE = "pentamidine"
    ALENDRONATE = "alendronate"
    RISEDRONATE = "risedronate"
    IBANDRONATE = "ibandronate"
    ZOLEDRONIC_ACID = "zoledronic-acid"
    DENOSUMAB = "denosumab"
    TERIPARATIDE = "teriparatide"
    CALCIUM = "calcium"
    VITAMIN_D = "vitamin-d"
    ATORVASTATIN = "atorvastatin"
    SIMVASTATIN = "simvastatin"
    ROSUVASTATIN = "rosuvastatin"
    PRAVASTATIN = "pravastatin"
    LOVASTATIN = "lovastatin"
    FLUVASTATIN = "fluvastatin"
    PITAVASTATIN = "pitavastatin"
    ALLOPURINOL = "allopurinol"
    FEBUXOSTAT = "febuxostat"
    ENTECAVIR = "entecavir"
    TENOFOVIR = "tenofovir"
    LAMIVUDINE = "lamivudine"
    NINTEDANIB = "nintedanib"
    PIRFENIDONE = "pirfenidone"
    #: Systemic oestrogens (estradiol, ethinyl estradiol, conjugated estrogens), a thrombosis risk factor.
    OESTROGEN = "oestrogen"


#: Prednisone-equivalent multipliers (docs/evidence.md#prednisone-equivalence): mg of prednisone per mg of the steroid.
PREDNISONE_EQUIVALENCE: dict[Drug, float] = {
    Drug.PREDNISONE: 1.0,
    Drug.PREDNISOLONE: 1.0,
    Drug.METHYLPREDNISOLONE: 1.25,
    Drug.DEXAMETHASONE: 6.67,
    Drug.HYDROCORTISONE: 0.25,
}

SYSTEMIC_GLUCOCORTICOIDS = frozenset(PREDNISONE_EQUIVALENCE)
#: The component in whose milligrams a combination product's dose is counted: TMP-SMX doses are stated
#: as trimethoprim (one double-strength tablet = 160 mg), as in its label and the PJP regimens.
DOSING_COMPONENT: dict[Drug, str] = {Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM: "trimethoprim"}
ORAL_PREDNISONE_LIKE = frozenset({Drug.PREDNISONE, Drug.PREDNISOLONE})

#: docs/evidence.md#steroid-sparing-agent: any of these ends "glucocorticoid monotherapy".
STEROID_SPARING_AGENTS = frozenset(
    {
        Drug.METHOTREXATE,
        Drug.AZATHIOPRINE,
        Drug.MYCOPHENOLATE_MOFETIL,
        Drug.MYCOPHENOLIC_ACID,
        Drug.TACROLIMUS,
        Drug.CICLOSPORIN,
        Drug.RITUXIMAB,
        Drug.CYCLOPHOSPHAMIDE,
        Drug.IVIG,
    }
)

#: Second immunosuppressants that raise PJP risk (docs/evidence.md#pjp).
SECOND_IMMUNOSUPPRESSANTS = STEROID_SPARING_AGENTS - {Drug.IVIG}
FOLATES = frozenset({Drug.FOLIC_ACID, Drug.LEUCOVORIN})
PJP_PROPHYLAXIS = frozenset(
    {Drug.SULFAMETHOXAZOLE_TRIMETHOPRIM, Drug.ATOVAQUONE, Drug.DAPSONE, Drug.PENTAMIDINE}
)
STATINS = frozenset(
    {
        Drug.ATORVASTATIN,
        Drug.SIMVASTATIN,
        Drug.ROSUVASTATIN,
        Drug.PRAVASTATIN,
        Drug.LOVASTATIN,
        Drug.FLUVASTATIN,
        Drug.PITAVASTATIN,
    }
)
XANTHINE_OXIDASE_INHIBITORS = frozenset({Drug.ALLOPURINOL, Drug.FEBUXOSTAT})
#: Nucleos(t)ide analogues used as HBV antiviral prophylaxis (EASL 2017, AASLD 2018 HBV guidance).
HBV_ANTIVIRALS = frozenset({Drug.ENTECAVIR, Drug.TENOFOVIR, Drug.LAMIVUDINE})
#: High-barrier antivirals, the only adequate prophylaxis for an HBsAg-positive patient (EASL 2017,
#: AASLD 2018: entecavir or tenofovir; lamivudine selects resistance).
HBV_HIGH_BARRIER_ANTIVIRALS = frozenset({Drug.ENTECAVIR, Drug.TENOFOVIR})
BISPHOSPHONATES = frozenset(
    {Drug.ALENDRONATE, Drug.RISEDRONATE, Drug.IBANDRONATE, Drug.ZOLEDRONIC_ACID}
)
OSTEOPOROSIS_THERAPY = BISPHOSPHONATES | {Drug.DENOSUMAB, Drug.TERIPARATIDE}
#: Antifibrotics for progressive pulmonary fibrosis (ATS/ERS/JRS/ALAT 2022: nintedanib; pirfenidone studied).
ANTIFIBROTICS = frozenset({Drug.NINTEDANIB, Drug.PIRFENIDONE})
TERATOGENS = frozenset(
    {Drug.METHOTREXATE, Drug.MYCOPHENOLATE_MOFETIL, Drug.MYCOPHENOLIC_ACID, Drug.CYCLOPHOSPHAMIDE}
)


class MyositisSubtype(StrEnum):
    """Inflammatory-myopathy subtype, in the priority order of docs/evidence.md#subtype-and-scope."""

    INCLUSION_BODY_MYOSITIS = "inclusion-body-myositis"
    IMMUNE_MEDIATED_NECROTIZING = "immune-mediated-necrotizing-myopathy"
    ANTISYNTHETASE = "antisynthetase-syndrome"
    JUVENILE_DERMATOMYOSITIS = "juvenile-dermatomyositis"
    DERMATOMYOSITIS = "dermatomyositis"
    POLYMYOSITIS = "polymyositis"
    UNSPECIFIED = "inflammatory-myopathy"


class Condition(StrEnum):
    """Diagnoses and states other than the myositis subtype itself."""

    INTERSTITIAL_LUNG_DISEASE = "interstitial-lung-disease"
    #: Myositis "with respiratory involvement" (ICD-10-CM M33.x1): interstitial lung disease,
    #: respiratory-muscle weakness or aspiration; the code does not say which.
    RESPIRATORY_INVOLVEMENT = "respiratory-involvement"
    DYSPHAGIA = "dysphagia"
    DIABETES = "diabetes"
    OSTEOPOROSIS = "osteoporosis"
    FRAGILITY_FRACTURE = "fragility-fracture"
    GLAUCOMA = "glaucoma"
    PREGNANCY = "pregnancy"
    PREGNANCY_PLANNED = "pregnancy-planned"
    MENOPAUSE = "menopause"
    HYSTERECTOMY = "hysterectomy"
    HEPATITIS_B = "hepatitis-b"
    HEPATITIS_C = "hepatitis-c"
    HYPERTENSION = "hypertension"
    CHRONIC_KIDNEY_DISEASE = "chronic-kidney-disease"
    CANCER = "cancer"
    SJOGREN = "sjogren-syndrome"
    SKIN_PREDOMINANT_DERMATOMYOSITIS = "skin-predominant-dermatomyositis"
    #: Chronic liver disease or cirrhosis (order safety: methotrexate label contraindication).
    LIVER_DISEASE = "liver-disease"
    #: Fatty liver disease or steatohepatitis without cirrhosis coded: a risk factor for methotrexate
    #: hepatotoxicity that calls for a fibrosis assessment, not a contraindication by itself.
    FATTY_LIVER_DISEASE = "fatty-liver-disease"
    ALCOHOL_USE_DISORDER = "alcohol-use-disorder"
    #: Oesophageal disorders that delay emptying (stricture, achalasia, varices, Barrett's): no oral bisphosphonate.
    OESOPHAGEAL_DISEASE = "oesophageal-disease"
    BREASTFEEDING = "breastfeeding"
    VENOUS_THROMBOEMBOLISM = "venous-thromboembolism"
    THROMBOPHILIA = "thrombophilia"
    IMMOBILITY = "immobility"
    HYPERVISCOSITY = "hyperviscosity"
    #: Skin ulceration or necrosis: in dermatomyositis a marker of cancer risk and active skin disease.
    CUTANEOUS_ULCERATION = "cutaneous-ulceration"


#: Conditions that contraindicate methotrexate (its label: alcoholism, alcoholic or other chronic liver
#: disease; chronic viral hepatitis B and C are chronic liver disease). Read by the order-safety check and
#: by methotrexate-liver alike.
METHOTREXATE_LIVER_CONDITIONS = (Condition.LIVER_DISEASE, Condition.ALCOHOL_USE_DISORDER, Condition.HEPATITIS_B,
                                 Condition.HEPATITIS_C)


class Lab(StrEnum):
    """Laboratory and measurement observations (not antibodies)."""

    CREATINE_KINASE = "creatine-kinase"
    ALDOLASE = "aldolase"
    ALT = "alt"
    AST = "ast"
    ALBUMIN = "albumin"
    CREATININE = "creatinine"
    EGFR = "egfr"
    HCG = "hcg"
    HBSAG = "hbsag"
    ANTI_HBC = "anti-hbc"
    HCV_ANTIBODY = "hcv-antibody"
    #: Viral loads: monitoring of resolved hepatitis B (HBV DNA) and confirmation of hepatitis C (HCV RNA).
    HBV_DNA = "hbv-dna"
    HCV_RNA = "hcv-rna"
    #: Screening before immunosuppression (EULAR 2022): interferon-gamma release assay for latent
    #: tuberculosis, HIV antigen/antibody, varicella-zoster IgG.
    IGRA = "tb-igra"
    HIV = "hiv-screen"
    VZV_IGG = "vzv-igg"
    #: Cardiac troponin I (troponin T and CK-MB also come from regenerating skeletal muscle in myositis).
    TROPONIN_I = "troponin-i"
    #: Serum immunoglobulins, checked before each rituximab cycle.
    IGG = "igg"
    IGM = "igm"
    G6PD = "g6pd"
    TPMT = "tpmt"
    NUDT15 = "nudt15"
    BLOOD_COUNT = "blood-count"
    LYMPHOCYTES = "lymphocytes"
    T_SCORE = "dxa-t-score"
    LUNG_FUNCTION = "lung-function"
    #: Gamma-glutamyl transferase: a liver enzyme not released from muscle (methotrexate-liver).
    GGT = "ggt"


class Analyte(StrEnum):
    """Which measurement a result of a grouped concept is, where a rule needs it: the white-cell and platelet
    counts of a blood count (`Lab.BLOOD_COUNT`), the FVC in % predicted of lung function (`Lab.LUNG_FUNCTION`)."""

    WBC = "wbc"
    PLATELETS = "platelets"
    FVC_PERCENT_PREDICTED = "fvc-percent-predicted"


class Antibody(StrEnum):
    """Myositis-specific and -associated autoantibodies."""

    JO1 = "anti-jo-1"
    PL7 = "anti-pl-7"
    PL12 = "anti-pl-12"
    EJ = "anti-ej"
    OJ = "anti-oj"
    HMGCR = "anti-hmgcr"
    SRP = "anti-srp"
    MI2 = "anti-mi-2"
    MDA5 = "anti-mda5"
    TIF1G = "anti-tif1-gamma"
    NXP2 = "anti-nxp2"
    SAE = "anti-sae"
    RO52 = "anti-ro52"
    RO60 = "anti-ro60"


ANTISYNTHETASE_ANTIBODIES = frozenset({Antibody.JO1, Antibody.PL7, Antibody.PL12, Antibody.EJ, Antibody.OJ})
NECROTIZING_MYOPATHY_ANTIBODIES = frozenset({Antibody.HMGCR, Antibody.SRP})


class Vaccine(StrEnum):
    INFLUENZA = "influenza"
    PNEUMOCOCCAL = "pneumococcal"
    RECOMBINANT_ZOSTER = "recombinant-zoster"
    LIVE = "live-vaccine"


class Investigation(StrEnum):
    """Imaging and function tests read from Procedure, DiagnosticReport and ServiceRequest."""

    CT_CHEST_ABDOMEN_PELVIS = "ct-chest-abdomen-pelvis"
    PET_CT = "pet-ct"
    CHEST_RADIOGRAPH = "chest-radiograph"
    #: A procedure or order named as cancer (malignancy) screening itself.
    CANCER_SCREENING = "cancer-screening"
    LUNG_FUNCTION_TEST = "lung-function-test"
    #: Retinal examination for hydroxychloroquine toxicity (fundus examination, SD-OCT, visual fields).
    RETINAL_SCREENING = "retinal-screening"
    ECG = "ecg"
    #: Physiotherapy or a supervised exercise programme (referral or session).
    EXERCISE_THERAPY = "exercise-therapy"
    #: Echocardiography or cardiac MRI.
    CARDIAC_IMAGING = "cardiac-imaging"


class Allergy(StrEnum):
    SULFONAMIDE = "sulfonamide"


class Route(StrEnum):
    ORAL = "oral"
    INTRAVENOUS = "intravenous"
    SUBCUTANEOUS = "subcutaneous"
    INTRAMUSCULAR = "intramuscular"
    OTHER = "other"


class Qualitative(StrEnum):
    """Qualitative reading of a result: positive / negative / unknown."""

    POSITIVE = "positive"
    NEGATIVE = "negative"
    UNKNOWN = "unknown"


class Metabolizer(StrEnum):
    """Pharmacogenomic phenotype (CPIC) for TPMT and NUDT15."""

    NORMAL = "normal"
    INTERMEDIATE = "intermediate"
    POOR = "poor"
    INDETERMINATE = "indeterminate"
