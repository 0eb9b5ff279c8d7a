package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// The search scenario's generated set: notes in English, French and German
// courses, and queries each with the note it should find first. Every
// query has key words of its own, planted only in its target note and in
// the decoys its kind needs, so the right answer is known by construction.
const (
	setNotes   = 500
	setQueries = 100
)

// Kinds of query in the set.
const (
	kindTitle     = "title word"  // the key word is the target's title; two decoys hold it in their bodies
	kindStem      = "stem"        // the query holds another form of the word the target holds
	kindTypo      = "typo"        // a letter dropped or two swapped
	kindAccent    = "accent"      // typed without the accents the target's word has
	kindPhrase    = "phrase"      // two words side by side in the target, apart (and in the title) in decoys
	kindExclusion = "exclusion"   // a decoy holds the word in its title but also the excluded word; half with a typo
	kindIssue     = "issue notes" // the four notes of issue 22
)

// setLanguage is what notes in one language are made of.
type setLanguage struct {
	code       string // the courses' language, as Tesseract names it
	topics     []string
	titleWords []string
	filler     []string // stop words and common words, never a key
	// keys are word pairs (a form, another form of the same word), each
	// used by one query only.
	keys [][2]string
	// kinds is how many queries of each kind the language gets.
	kinds []kindCount
}

type kindCount struct {
	kind string
	n    int
}

var setLanguages = []setLanguage{
	{
		code:       "eng",
		topics:     []string{"European History", "Biology", "Physics"},
		titleWords: []string{"Lecture", "Seminar", "Notes", "Review"},
		filler: strings.Fields(`the and of to in is that for are as with on by this from which it at an be was
			were can has have will not or they their these its also into more when other than such between during
			after each most some about would time year part example case point group number way people work result
			study level form question state area world life order power field line rule type value idea model class
			topic chapter section student teacher page reading summary detail answer method term factor source
			effect role period region growth`),
		keys: [][2]string{{"lighthouse", "lighthouses"}, {"parliament", "parliaments"}, {"treaty", "treaties"},
			{"monarchy", "monarchies"}, {"harvest", "harvesting"}, {"glacier", "glaciers"}, {"volcano", "volcanoes"},
			{"enzyme", "enzymes"}, {"protein", "proteins"}, {"lantern", "lanterns"}, {"telescope", "telescopes"},
			{"galaxy", "galaxies"}, {"democracy", "democracies"}, {"merchant", "merchants"}, {"cathedral", "cathedrals"},
			{"pendulum", "pendulums"}, {"magnet", "magnets"}, {"crystal", "crystals"}, {"fossil", "fossils"},
			{"migration", "migrating"}, {"vaccine", "vaccines"}, {"algorithm", "algorithms"}, {"theorem", "theorems"},
			{"meadow", "meadows"}, {"colony", "colonies"}, {"railway", "railways"}, {"factory", "factories"},
			{"harbour", "harbours"}, {"empire", "empires"}, {"senator", "senators"}, {"plague", "plagues"},
			{"bridge", "bridges"}, {"canal", "canals"}, {"reactor", "reactors"}, {"neuron", "neurons"},
			{"photon", "photons"}, {"orbit", "orbiting"}, {"island", "islands"}, {"voltage", "voltages"},
			{"pigment", "pigments"}},
		kinds: []kindCount{{kindTitle, 7}, {kindStem, 7}, {kindTypo, 6}, {kindPhrase, 6}, {kindExclusion, 6}},
	},
	{
		code:       "fra",
		topics:     []string{"Histoire de France", "Chimie", "Géographie"},
		titleWords: []string{"Cours", "Séance", "Notes", "Révision"},
		filler: strings.Fields(`le la les et de des du un une est sont dans pour que qui par sur avec au aux ce
			cette il elle ils nous on mais ou plus aussi entre selon chez comme lors temps partie exemple cas point
			groupe nombre manière personne travail processus résultat niveau forme question monde vie ordre pouvoir
			champ ligne règle type valeur idée modèle classe sujet chapitre section professeur page lecture résumé
			détail réponse méthode terme facteur source effet rôle période région croissance`),
		keys: [][2]string{{"école", "écoles"}, {"société", "sociétés"}, {"théorème", "théorèmes"},
			{"équation", "équations"}, {"énergie", "énergies"}, {"député", "députés"}, {"république", "républiques"},
			{"navire", "navires"}, {"église", "églises"}, {"siècle", "siècles"}, {"bibliothèque", "bibliothèques"},
			{"vérité", "vérités"}, {"forêt", "forêts"}, {"château", "châteaux"}, {"hôpital", "hôpitaux"},
			{"fenêtre", "fenêtres"}, {"médecin", "médecins"}, {"étoile", "étoiles"}, {"planète", "planètes"},
			{"molécule", "molécules"}, {"cellule", "cellules"}, {"réaction", "réactions"}, {"mémoire", "mémoires"},
			{"métier", "métiers"}, {"économie", "économies"}, {"évolution", "évolutions"}, {"problème", "problèmes"},
			{"matière", "matières"}, {"lumière", "lumières"}, {"frontière", "frontières"}, {"ouvrier", "ouvriers"},
			{"paysan", "paysans"}, {"marché", "marchés"}, {"cheval", "chevaux"}, {"journal", "journaux"},
			{"territoire", "territoires"}, {"élection", "élections"}, {"général", "généraux"}, {"volcan", "volcans"},
			{"fleuve", "fleuves"}},
		kinds: []kindCount{{kindTitle, 6}, {kindStem, 6}, {kindTypo, 5}, {kindAccent, 6}, {kindPhrase, 5}, {kindExclusion, 5}},
	},
	{
		code:       "deu",
		topics:     []string{"Geschichte", "Physik", "Wirtschaft"},
		titleWords: []string{"Vorlesung", "Seminar", "Notizen", "Wiederholung"},
		filler: strings.Fields(`der die das und ist sind ein eine einer zu den von mit sich des auf für im dem
			auch es wird werden bei oder aus wir wenn dass kann wie nach nicht Zeit Jahr Teil Beispiel Fall Punkt
			Gruppe Zahl Weise Mensch Arbeit Prozess Ergebnis Studie Stufe Form Frage Zustand Welt Leben Ordnung
			Macht Feld Linie Regel Typ Wert Idee Modell Klasse Kurs Thema Kapitel Abschnitt Lehrer Seite Lektüre
			Antwort Methode Begriff Faktor Quelle Wirkung Rolle Zeitraum Region Wachstum`),
		keys: [][2]string{{"Brücke", "Brücken"}, {"Prüfung", "Prüfungen"}, {"Übung", "Übungen"}, {"Größe", "Größen"},
			{"Gebäude", "Gebäuden"}, {"Gesetz", "Gesetze"}, {"Lösung", "Lösungen"}, {"Straße", "Straßen"},
			{"Händler", "Händlern"}, {"Bürger", "Bürgern"}, {"König", "Könige"}, {"Schüler", "Schülern"},
			{"Bewegung", "Bewegungen"}, {"Gleichung", "Gleichungen"}, {"Spannung", "Spannungen"}, {"Mühle", "Mühlen"},
			{"Fürst", "Fürsten"}, {"Stadtmauer", "Stadtmauern"}, {"Kirche", "Kirchen"}, {"Körper", "Körpern"},
			{"Säure", "Säuren"}, {"Würfel", "Würfeln"}, {"Ökonomie", "Ökonomien"}, {"Gefäß", "Gefäße"},
			{"Verfassung", "Verfassungen"}, {"Zeitung", "Zeitungen"}, {"Universität", "Universitäten"},
			{"Grenze", "Grenzen"}, {"Handwerker", "Handwerkern"}, {"Rathaus", "Rathauses"}, {"Behörde", "Behörden"},
			{"Münze", "Münzen"}, {"Gemälde", "Gemälden"}, {"Getreide", "Getreides"}, {"Gewürz", "Gewürze"},
			{"Schmied", "Schmiede"}, {"Kanzler", "Kanzlers"}, {"Flotte", "Flotten"}, {"Zunft", "Zünfte"},
			{"Turbine", "Turbinen"}},
		kinds: []kindCount{{kindTitle, 6}, {kindStem, 6}, {kindTypo, 5}, {kindAccent, 6}, {kindPhrase, 5}, {kindExclusion, 5}},
	},
}

// setCourse is one course of the set's user.
type setCourse struct {
	Name, Language string
}

// setNote is one note of the set.
type setNote struct {
	Course  int // index into the set's courses
	Title   string
	Body    string // Markdown
	Created time.Time
}

// setQuery is one query and the note it should find first.
type setQuery struct {
	Kind, Language, Query string
	Want                  int   // index into the set's notes
	Excluded              []int // notes that must not be found
}

// searchSet is the whole generated set.
type searchSet struct {
	Courses []setCourse
	Notes   []setNote
	Queries []setQuery
}

// setGenerator builds a searchSet from one seed.
type setGenerator struct {
	rng  *rand.Rand
	now  time.Time
	set  searchSet
	lang map[string][]int // courses of each language
}

// generateSearchSet makes the set from seed: the same seed, the same set.
func generateSearchSet(seed uint64) searchSet {
	g := &setGenerator{rng: rand.New(rand.NewPCG(seed, seed^0x5eed)),
		now: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), lang: map[string][]int{}}
	for _, l := range setLanguages {
		for _, topic := range l.topics {
			g.lang[l.code] = append(g.lang[l.code], len(g.set.Courses))
			g.set.Courses = append(g.set.Courses, setCourse{Name: topic, Language: l.code})
		}
	}
	g.issueNotes()
	for i := range setLanguages {
		g.languageQueries(&setLanguages[i])
	}
	for len(g.set.Notes) < setNotes {
		l := &setLanguages[g.rng.IntN(len(setLanguages))]
		g.note(l, "", nil)
	}
	g.rng.Shuffle(len(g.set.Notes), func(i, j int) { g.swapNotes(i, j) })
	return g.set
}

// swapNotes swaps two notes and the queries' references to them.
func (g *setGenerator) swapNotes(i, j int) {
	g.set.Notes[i], g.set.Notes[j] = g.set.Notes[j], g.set.Notes[i]
	swap := func(n int) int {
		switch n {
		case i:
			return j
		case j:
			return i
		}
		return n
	}
	for q := range g.set.Queries {
		g.set.Queries[q].Want = swap(g.set.Queries[q].Want)
		for k, e := range g.set.Queries[q].Excluded {
			g.set.Queries[q].Excluded[k] = swap(e)
		}
	}
}

// issueNotes adds the four notes of issue 22 to an English course, and two
// queries from it.
func (g *setGenerator) issueNotes() {
	course := g.lang["eng"][0]
	add := func(title, body string) int {
		g.set.Notes = append(g.set.Notes, setNote{Course: course, Title: title, Body: "# " + title + "\n\n" + body,
			Created: g.created()})
		return len(g.set.Notes) - 1
	}
	bastille := add("The Storming of the Bastille", "## Paris, July 1789 - The crowd\n\nThe crowd took the "+
		"**fortress** on 14 July, weeks after the deputies swore their oath in a tennis court. The fall of the "+
		"Bastille began the revolution.")
	oath := add("Tennis Court Oath", "On 20 June 1789 the deputies of the Third Estate met in a tennis court at "+
		"Versailles. Weeks later Paris stormed the Bastille.")
	add("Acids and Bases", "An acid gives a proton; a base takes one. Strong bases dissolve fat.")
	add("Lecture 6: Graphs", "- recursion needs a base case\n- use a queue for breadth first search")
	g.set.Queries = append(g.set.Queries,
		setQuery{Kind: kindIssue, Language: "eng", Query: "bastile", Want: bastille},
		setQuery{Kind: kindIssue, Language: "eng", Query: `"tennis court" -revolution`, Want: oath, Excluded: []int{bastille}})
}

// languageQueries adds l's queries, each with its target note and decoys.
func (g *setGenerator) languageQueries(l *setLanguage) {
	keys := append([][2]string(nil), l.keys...)
	g.rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	take := func(accented bool) [2]string {
		for i, k := range keys {
			if !accented || k[0] != fold(k[0]) {
				keys = append(keys[:i], keys[i+1:]...)
				return k
			}
		}
		panic("search set: too few keys for " + l.code)
	}
	// Accented keys go first to the accent queries, which need them.
	var plan []string
	for _, kc := range l.kinds {
		for range kc.n {
			plan = append(plan, kc.kind)
		}
	}
	for _, kind := range plan {
		if kind != kindAccent {
			continue
		}
		k := take(true)
		g.query(l, kind, strings.ToLower(fold(k[0])), g.note(l, "", []string{k[0]}), nil)
	}
	exclusions := 0
	for _, kind := range plan {
		switch kind {
		case kindTitle:
			k := take(false)
			target := g.note(l, k[0], []string{k[0]})
			g.note(l, "", []string{k[0]})
			g.note(l, "", []string{k[0]})
			g.query(l, kind, strings.ToLower(k[0]), target, nil)
		case kindStem:
			k := take(false)
			g.query(l, kind, strings.ToLower(k[0]), g.note(l, "", []string{k[1]}), nil)
		case kindTypo:
			k := take(false)
			g.query(l, kind, g.typo(strings.ToLower(k[0])), g.note(l, "", []string{k[0], k[0]}), nil)
		case kindPhrase:
			k := take(false)
			next := g.content(l)
			target := g.note(l, "", []string{k[0] + " " + next})
			g.note(l, k[0], []string{k[0], next})
			g.note(l, k[0], []string{next, k[0]})
			g.query(l, kind, `"`+strings.ToLower(k[0]+" "+next)+`"`, target, nil)
		case kindExclusion:
			// Every other one with a typo in the word to find: the
			// exclusion must hold for corrected words too.
			k, x := take(false), take(false)
			target := g.note(l, "", []string{k[0]})
			decoy := g.note(l, k[0], []string{k[0], x[0]})
			word := strings.ToLower(k[0])
			if exclusions++; exclusions%2 == 0 {
				word = g.typo(word)
			}
			g.query(l, kind, word+" -"+strings.ToLower(x[0]), target, []int{decoy})
		}
	}
}

func (g *setGenerator) query(l *setLanguage, kind, query string, want int, excluded []int) {
	g.set.Queries = append(g.set.Queries, setQuery{Kind: kind, Language: l.code, Query: query, Want: want, Excluded: excluded})
}

// note adds a note in one of l's courses: with key in its title when key
// is set, each of plants in a sentence of its own. It returns its index.
func (g *setGenerator) note(l *setLanguage, key string, plants []string) int {
	courses := g.lang[l.code]
	course := courses[g.rng.IntN(len(courses))]
	title := g.set.Courses[course].Name + " " + l.titleWords[g.rng.IntN(len(l.titleWords))] + " " +
		fmt.Sprint(1+g.rng.IntN(12))
	if key != "" {
		title += ": " + key
	}
	var b strings.Builder
	b.WriteString("# " + title + "\n\n## " + capitalize(g.content(l)) + " " + g.content(l) + "\n\n")
	sentences := 6 + g.rng.IntN(8)
	at := map[int]string{}
	for _, p := range plants {
		for {
			s := g.rng.IntN(sentences)
			if _, taken := at[s]; !taken {
				at[s] = p
				break
			}
		}
	}
	for s := range sentences {
		words := make([]string, 6+g.rng.IntN(7))
		for i := range words {
			words[i] = g.filler(l)
		}
		if p, ok := at[s]; ok {
			words[g.rng.IntN(len(words))] = p
		}
		if g.rng.IntN(5) == 0 {
			i := g.rng.IntN(len(words))
			words[i] = "**" + words[i] + "**"
		}
		line := capitalize(strings.Join(words, " ")) + "."
		switch {
		case g.rng.IntN(4) == 0:
			b.WriteString("- " + line + "\n")
		case s%3 == 2:
			b.WriteString(line + "\n\n")
		default:
			b.WriteString(line + " ")
		}
	}
	g.set.Notes = append(g.set.Notes, setNote{Course: course, Title: title, Body: strings.TrimSpace(b.String()),
		Created: g.created()})
	return len(g.set.Notes) - 1
}

func (g *setGenerator) created() time.Time {
	return g.now.Add(-time.Duration(g.rng.Int64N(int64(365 * 24 * time.Hour)))).Truncate(time.Second)
}

func (g *setGenerator) filler(l *setLanguage) string {
	return l.filler[g.rng.IntN(len(l.filler))]
}

// content is a filler word that is not a stop word (the second half of
// the filler list).
func (g *setGenerator) content(l *setLanguage) string {
	half := len(l.filler) / 2
	return strings.ToLower(l.filler[half+g.rng.IntN(len(l.filler)-half)])
}

// typo drops a letter inside word or swaps two letters inside it.
func (g *setGenerator) typo(word string) string {
	rs := []rune(word)
	i := 1 + g.rng.IntN(len(rs)-2)
	if g.rng.IntN(2) == 0 {
		return string(append(rs[:i:i], rs[i+1:]...))
	}
	rs[i], rs[i+1] = rs[i+1], rs[i]
	if string(rs) == word { // a doubled letter: drop one instead
		return string(append(rs[:i:i], rs[i+1:]...))
	}
	return string(rs)
}

// fold removes accents as people do who type without them.
var fold = strings.NewReplacer("à", "a", "â", "a", "ä", "a", "é", "e", "è", "e", "ê", "e", "ë", "e", "î", "i",
	"ï", "i", "ô", "o", "ö", "o", "ù", "u", "û", "u", "ü", "u", "ç", "c", "ß", "ss", "Ä", "A", "Ö", "O", "Ü", "U",
	"É", "E").Replace

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
